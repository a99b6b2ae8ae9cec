package meetingweb

import "strings"

// pageWords are the sentences of the pages a customer sees after clicking
// a slot link, per language (ISO 639-1, the languages of the mailer's
// catalogs). The rep's pages are in the team's language (English). Times
// come already written in the language (meeting.WhenIn).
var pageWords = map[string]map[string]string{
	"en": {
		"meeting": "Meeting", "when": "When", "length": "Length",
		"book.title": "Book this meeting?", "book.confirm": "Please confirm the time below.", "book.button": "Book {when}",
		"booked.title": "Your meeting is booked", "booked.line": "A calendar invitation is on its way to you by email.",
		"passed.title": "This time has passed", "passed.line": "Please pick a later time from the email, or reply to it.",
		"already.title":   "This meeting is already booked",
		"already.yours":   "You booked this time; the calendar invitation was sent to you by email.",
		"already.other":   "Another time of this proposal was booked first. To change it, reply to the invitation email.",
		"cancelled.title": "This meeting was cancelled", "cancelled.line": "Reply to the email to arrange a new one.",
		"gone.title": "These times are no longer offered", "gone.line": "Please use the newest email we sent you.",
		"expired.title": "This link has expired", "expired.line": "Reply to the email it came in and we will send you a new one.",
		"invalid.title": "This link is not valid", "invalid.line": "Please use the link exactly as it came in the email.",
		"failed.title": "Something went wrong", "failed.line": "Nothing was changed. Please try again in a minute.",
		"notfound.title": "Not found", "notfound.line": "There is nothing at this address.",
	},
	"de": {
		"meeting": "Termin", "when": "Wann", "length": "Dauer",
		"book.title": "Diesen Termin buchen?", "book.confirm": "Bitte bestätigen Sie die Zeit unten.", "book.button": "{when} buchen",
		"booked.title": "Ihr Termin ist gebucht", "booked.line": "Eine Kalendereinladung ist per E-Mail auf dem Weg zu Ihnen.",
		"passed.title": "Diese Zeit ist vorbei", "passed.line": "Bitte wählen Sie eine spätere Zeit aus der E-Mail oder antworten Sie darauf.",
		"already.title":   "Dieser Termin ist bereits gebucht",
		"already.yours":   "Sie haben diese Zeit gebucht; die Kalendereinladung wurde Ihnen per E-Mail geschickt.",
		"already.other":   "Eine andere Zeit dieses Vorschlags wurde zuerst gebucht. Um sie zu ändern, antworten Sie auf die Einladungs-E-Mail.",
		"cancelled.title": "Dieser Termin wurde abgesagt", "cancelled.line": "Antworten Sie auf die E-Mail, um einen neuen zu vereinbaren.",
		"gone.title": "Diese Zeiten werden nicht mehr angeboten", "gone.line": "Bitte verwenden Sie die neueste E-Mail, die wir Ihnen geschickt haben.",
		"expired.title": "Dieser Link ist abgelaufen", "expired.line": "Antworten Sie auf die E-Mail, in der er kam, und wir schicken Ihnen einen neuen.",
		"invalid.title": "Dieser Link ist ungültig", "invalid.line": "Bitte verwenden Sie den Link genau so, wie er in der E-Mail stand.",
		"failed.title": "Etwas ist schiefgegangen", "failed.line": "Es wurde nichts geändert. Bitte versuchen Sie es in einer Minute noch einmal.",
		"notfound.title": "Nicht gefunden", "notfound.line": "Unter dieser Adresse gibt es nichts.",
	},
	"fr": {
		"meeting": "Rendez-vous", "when": "Quand", "length": "Durée",
		"book.title": "Réserver ce rendez-vous ?", "book.confirm": "Veuillez confirmer l'horaire ci-dessous.", "book.button": "Réserver : {when}",
		"booked.title": "Votre rendez-vous est réservé", "booked.line": "Une invitation d'agenda vous est envoyée par e-mail.",
		"passed.title": "Cet horaire est passé", "passed.line": "Veuillez choisir un horaire plus tardif dans l'e-mail, ou y répondre.",
		"already.title":   "Ce rendez-vous est déjà réservé",
		"already.yours":   "Vous avez réservé cet horaire ; l'invitation d'agenda vous a été envoyée par e-mail.",
		"already.other":   "Un autre horaire de cette proposition a été réservé en premier. Pour le modifier, répondez à l'e-mail d'invitation.",
		"cancelled.title": "Ce rendez-vous a été annulé", "cancelled.line": "Répondez à l'e-mail pour en convenir d'un nouveau.",
		"gone.title": "Ces horaires ne sont plus proposés", "gone.line": "Veuillez utiliser le dernier e-mail que nous vous avons envoyé.",
		"expired.title": "Ce lien a expiré", "expired.line": "Répondez à l'e-mail qui le contenait et nous vous en enverrons un nouveau.",
		"invalid.title": "Ce lien n'est pas valide", "invalid.line": "Veuillez utiliser le lien tel qu'il figurait dans l'e-mail.",
		"failed.title": "Un problème est survenu", "failed.line": "Rien n'a été modifié. Veuillez réessayer dans une minute.",
		"notfound.title": "Page introuvable", "notfound.line": "Il n'y a rien à cette adresse.",
	},
	"es": {
		"meeting": "Reunión", "when": "Cuándo", "length": "Duración",
		"book.title": "¿Reservar esta reunión?", "book.confirm": "Confirme la hora que figura abajo.", "book.button": "Reservar: {when}",
		"booked.title": "Su reunión está reservada", "booked.line": "Le estamos enviando una invitación de calendario por correo.",
		"passed.title": "Esta hora ya ha pasado", "passed.line": "Elija una hora posterior del correo o responda a él.",
		"already.title":   "Esta reunión ya está reservada",
		"already.yours":   "Usted reservó esta hora; la invitación de calendario se le envió por correo.",
		"already.other":   "Otra hora de esta propuesta se reservó antes. Para cambiarla, responda al correo de la invitación.",
		"cancelled.title": "Esta reunión se ha cancelado", "cancelled.line": "Responda al correo para acordar una nueva.",
		"gone.title": "Estos horarios ya no se ofrecen", "gone.line": "Utilice el correo más reciente que le hemos enviado.",
		"expired.title": "Este enlace ha caducado", "expired.line": "Responda al correo en el que llegó y le enviaremos uno nuevo.",
		"invalid.title": "Este enlace no es válido", "invalid.line": "Utilice el enlace tal como llegó en el correo.",
		"failed.title": "Algo ha fallado", "failed.line": "No se ha cambiado nada. Inténtelo de nuevo dentro de un minuto.",
		"notfound.title": "No encontrado", "notfound.line": "No hay nada en esta dirección.",
	},
	"it": {
		"meeting": "Appuntamento", "when": "Quando", "length": "Durata",
		"book.title": "Prenotare questo appuntamento?", "book.confirm": "Confermi l'orario qui sotto.", "book.button": "Prenota: {when}",
		"booked.title": "Il suo appuntamento è fissato", "booked.line": "Le stiamo inviando un invito nel calendario via e-mail.",
		"passed.title": "Questo orario è passato", "passed.line": "Scelga un orario successivo dall'e-mail, oppure risponda.",
		"already.title":   "Questo appuntamento è già prenotato",
		"already.yours":   "Ha prenotato questo orario; l'invito nel calendario le è stato inviato via e-mail.",
		"already.other":   "Un altro orario di questa proposta è stato prenotato prima. Per cambiarlo, risponda all'e-mail di invito.",
		"cancelled.title": "Questo appuntamento è stato annullato", "cancelled.line": "Risponda all'e-mail per fissarne uno nuovo.",
		"gone.title": "Questi orari non sono più disponibili", "gone.line": "Usi l'e-mail più recente che le abbiamo inviato.",
		"expired.title": "Questo link è scaduto", "expired.line": "Risponda all'e-mail in cui è arrivato e gliene invieremo uno nuovo.",
		"invalid.title": "Questo link non è valido", "invalid.line": "Usi il link esattamente come è arrivato nell'e-mail.",
		"failed.title": "Qualcosa è andato storto", "failed.line": "Non è stato modificato nulla. Riprovi tra un minuto.",
		"notfound.title": "Non trovato", "notfound.line": "A questo indirizzo non c'è nulla.",
	},
	"nl": {
		"meeting": "Afspraak", "when": "Wanneer", "length": "Duur",
		"book.title": "Deze afspraak boeken?", "book.confirm": "Bevestig hieronder het tijdstip.", "book.button": "{when} boeken",
		"booked.title": "Uw afspraak is geboekt", "booked.line": "Er is een agenda-uitnodiging per e-mail naar u onderweg.",
		"passed.title": "Dit tijdstip is voorbij", "passed.line": "Kies een later tijdstip uit de e-mail, of antwoord erop.",
		"already.title":   "Deze afspraak is al geboekt",
		"already.yours":   "U hebt dit tijdstip geboekt; de agenda-uitnodiging is u per e-mail gestuurd.",
		"already.other":   "Een ander tijdstip van dit voorstel werd eerder geboekt. Wilt u het wijzigen, antwoord dan op de uitnodigingsmail.",
		"cancelled.title": "Deze afspraak is geannuleerd", "cancelled.line": "Antwoord op de e-mail om een nieuwe te maken.",
		"gone.title": "Deze tijden worden niet meer aangeboden", "gone.line": "Gebruik de nieuwste e-mail die we u stuurden.",
		"expired.title": "Deze link is verlopen", "expired.line": "Antwoord op de e-mail waarin hij stond en we sturen u een nieuwe.",
		"invalid.title": "Deze link is ongeldig", "invalid.line": "Gebruik de link precies zoals hij in de e-mail stond.",
		"failed.title": "Er ging iets mis", "failed.line": "Er is niets gewijzigd. Probeer het over een minuut opnieuw.",
		"notfound.title": "Niet gevonden", "notfound.line": "Op dit adres staat niets.",
	},
	"pt": {
		"meeting": "Reunião", "when": "Quando", "length": "Duração",
		"book.title": "Marcar esta reunião?", "book.confirm": "Confirme a hora abaixo.", "book.button": "Marcar: {when}",
		"booked.title": "A sua reunião está marcada", "booked.line": "Está a caminho um convite de calendário por e-mail.",
		"passed.title": "Esta hora já passou", "passed.line": "Escolha uma hora posterior no e-mail, ou responda-lhe.",
		"already.title":   "Esta reunião já está marcada",
		"already.yours":   "Marcou esta hora; o convite de calendário foi-lhe enviado por e-mail.",
		"already.other":   "Outra hora desta proposta foi marcada primeiro. Para a mudar, responda ao e-mail do convite.",
		"cancelled.title": "Esta reunião foi cancelada", "cancelled.line": "Responda ao e-mail para combinar uma nova.",
		"gone.title": "Estes horários já não estão disponíveis", "gone.line": "Utilize o e-mail mais recente que lhe enviámos.",
		"expired.title": "Esta ligação expirou", "expired.line": "Responda ao e-mail em que veio e enviar-lhe-emos uma nova.",
		"invalid.title": "Esta ligação não é válida", "invalid.line": "Utilize a ligação exatamente como veio no e-mail.",
		"failed.title": "Algo correu mal", "failed.line": "Nada foi alterado. Tente novamente dentro de um minuto.",
		"notfound.title": "Não encontrado", "notfound.line": "Não existe nada neste endereço.",
	},
}

// pageLanguage is language when the pages speak it, else English.
func pageLanguage(language string) string {
	language = strings.ToLower(strings.TrimSpace(language))
	if _, ok := pageWords[language]; ok {
		return language
	}
	return "en"
}

// say is the page sentence key in language, with {when} filled.
func say(language, key string, when ...string) string {
	s, ok := pageWords[pageLanguage(language)][key]
	if !ok {
		s = pageWords["en"][key]
	}
	if len(when) > 0 {
		s = strings.ReplaceAll(s, "{when}", when[0])
	}
	return s
}
