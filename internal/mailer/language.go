package mailer

import (
	"strings"
	"time"
)

// RenderIn renders template name in language (an ISO 639-1 code): the
// template NAME.LANG (templates/NAME.LANG.txt and .html) when there is
// one, else NAME, the English one. It reports the language the mail was
// rendered in.
func (r *Renderer) RenderIn(name, language string, data any) (Rendered, string, error) {
	language = strings.ToLower(strings.TrimSpace(language))
	if language != "" && language != "en" {
		if _, ok := r.text[name+"."+language]; ok {
			out, err := r.Render(name+"."+language, data)
			return out, language, err
		}
	}
	out, err := r.Render(name, data)
	return out, "en", err
}

// templateLanguage is the language template name is written in: LANG for
// NAME.LANG, else "en".
func templateLanguage(name string) string {
	_, language, ok := strings.Cut(name, ".")
	if !ok || len(language) < 2 || len(language) > 3 || strings.ContainsFunc(language, func(r rune) bool { return r < 'a' || r > 'z' }) {
		return "en"
	}
	return language
}

// HasLanguage reports whether template name has a version in language.
func (r *Renderer) HasLanguage(name, language string) bool {
	_, ok := r.text[name+"."+strings.ToLower(strings.TrimSpace(language))]
	return ok
}

// languageFuncs are the template helpers of the templates per language:
// the words that are not in the template files themselves (next steps,
// order status words, dates), per language, written by hand.
func languageFuncs(loc *time.Location) map[string]any {
	return map[string]any{
		"nextstepin": NextStepIn,
		"statusin":   statusIn,
		"replyin": func(language, subject string) string {
			if HeaderText(subject) == "" {
				if s, ok := yourMessage[language]; ok {
					return "Re: " + s
				}
			}
			return ReplySubject(subject)
		},
		"datein": func(language string, t time.Time) string {
			if t.IsZero() {
				return ""
			}
			layout, ok := dateLayouts[language]
			if !ok {
				return t.In(loc).Format("Mon 2 Jan 2006")
			}
			return t.In(loc).Format(layout)
		},
	}
}

// dateLayouts are the numeric date forms each language reads without
// doubt.
var dateLayouts = map[string]string{
	"de": "02.01.2006", "fr": "02/01/2006", "es": "02/01/2006", "it": "02/01/2006", "nl": "02-01-2006", "pt": "02/01/2006",
}

var yourMessage = map[string]string{
	"de": "Ihre Nachricht", "fr": "votre message", "es": "su mensaje", "it": "il suo messaggio", "nl": "uw bericht", "pt": "a sua mensagem",
}

// statusWords translate order.StatusWords.
var statusWords = map[string]map[string]string{
	"received, waiting for confirmation": {"de": "eingegangen, wartet auf Bestätigung", "fr": "reçue, en attente de confirmation", "es": "recibido, pendiente de confirmación", "it": "ricevuto, in attesa di conferma", "nl": "ontvangen, wacht op bevestiging", "pt": "recebida, a aguardar confirmação"},
	"confirmed":                          {"de": "bestätigt", "fr": "confirmée", "es": "confirmado", "it": "confermato", "nl": "bevestigd", "pt": "confirmada"},
	"in production":                      {"de": "in Produktion", "fr": "en production", "es": "en producción", "it": "in produzione", "nl": "in productie", "pt": "em produção"},
	"shipped":                            {"de": "versandt", "fr": "expédiée", "es": "enviado", "it": "spedito", "nl": "verzonden", "pt": "enviada"},
	"delivered":                          {"de": "zugestellt", "fr": "livrée", "es": "entregado", "it": "consegnato", "nl": "geleverd", "pt": "entregue"},
	"cancelled":                          {"de": "storniert", "fr": "annulée", "es": "cancelado", "it": "annullato", "nl": "geannuleerd", "pt": "cancelada"},
}

// statusIn translates an order status as order.StatusWords says it; a
// status it does not know stays as it is.
func statusIn(language, words string) string {
	if t, ok := statusWords[words][language]; ok {
		return t
	}
	return words
}

// nextSteps are NextStep per language.
var nextSteps = map[string]map[string]string{
	"de": {
		"order_status":    "Wir sehen jetzt nach Ihrer Bestellung. Den Stand erhalten Sie in Kürze in einer eigenen E-Mail.",
		"order_change":    "Unser Auftragsteam prüft die gewünschte Änderung und bestätigt sie Ihnen, in der Regel innerhalb eines Werktags. Eilaufträge werden zuerst bearbeitet.",
		"quote_request":   "Ein Mitarbeiter unseres Vertriebs erstellt Ihr Angebot und meldet sich bei Ihnen, in der Regel innerhalb eines Werktags.",
		"meeting_request": "Ihr Ansprechpartner bestätigt Ihnen einen Termin und schickt Ihnen eine Kalendereinladung.",
		"complaint":       "Es tut uns leid, das zu hören. Ihr Ansprechpartner ist informiert und meldet sich persönlich bei Ihnen.",
		"unsubscribe":     "Wir bestätigen Ihre Abmeldung in einer eigenen E-Mail.",
		"handled":         "Ihr Ansprechpartner hat Ihre Nachricht und antwortet Ihnen, in der Regel innerhalb eines Werktags.",
		"default":         "Ein Mitglied unseres Teams liest Ihre Nachricht und antwortet Ihnen.",
	},
	"fr": {
		"order_status":    "Nous consultons votre commande. Vous recevrez son statut sous peu dans un e-mail séparé.",
		"order_change":    "Notre service commandes examine la modification demandée et vous la confirme, généralement sous un jour ouvré. Les demandes urgentes sont traitées en priorité.",
		"quote_request":   "Un membre de notre équipe commerciale prépare votre devis et vous contacte, généralement sous un jour ouvré.",
		"meeting_request": "Votre interlocuteur vous confirmera un horaire et vous enverra une invitation d'agenda.",
		"complaint":       "Nous sommes désolés de ce que vous avez vécu. Votre interlocuteur est informé et vous contactera personnellement.",
		"unsubscribe":     "Nous vous confirmerons votre désinscription dans un e-mail séparé.",
		"handled":         "Votre interlocuteur a reçu votre message et vous répondra, généralement sous un jour ouvré.",
		"default":         "Un membre de notre équipe lira votre message et vous répondra.",
	},
	"es": {
		"order_status":    "Estamos consultando su pedido. Recibirá su estado en breve en un correo aparte.",
		"order_change":    "Nuestro equipo de pedidos revisará el cambio que solicita y se lo confirmará, normalmente en un día laborable. Las solicitudes urgentes se atienden primero.",
		"quote_request":   "Un miembro de nuestro equipo comercial preparará su presupuesto y se pondrá en contacto con usted, normalmente en un día laborable.",
		"meeting_request": "Su persona de contacto le confirmará una hora y le enviará una invitación de calendario.",
		"complaint":       "Lamentamos lo ocurrido. Su persona de contacto está informada y se pondrá en contacto con usted personalmente.",
		"unsubscribe":     "Le confirmaremos la baja en un correo aparte.",
		"handled":         "Su persona de contacto tiene su mensaje y le responderá, normalmente en un día laborable.",
		"default":         "Un miembro de nuestro equipo leerá su mensaje y le responderá.",
	},
	"it": {
		"order_status":    "Stiamo verificando il suo ordine. Riceverà a breve lo stato in un'e-mail separata.",
		"order_change":    "Il nostro ufficio ordini esaminerà la modifica richiesta e gliela confermerà, di solito entro un giorno lavorativo. Le richieste urgenti hanno la precedenza.",
		"quote_request":   "Un membro del nostro team commerciale preparerà il suo preventivo e la contatterà, di solito entro un giorno lavorativo.",
		"meeting_request": "Il suo referente le confermerà un orario e le invierà un invito nel calendario.",
		"complaint":       "Ci dispiace per quanto accaduto. Il suo referente è stato informato e la contatterà personalmente.",
		"unsubscribe":     "Le confermeremo la cancellazione in un'e-mail separata.",
		"handled":         "Il suo referente ha ricevuto il messaggio e le risponderà, di solito entro un giorno lavorativo.",
		"default":         "Un membro del nostro team leggerà il suo messaggio e le risponderà.",
	},
	"nl": {
		"order_status":    "We zoeken uw bestelling nu op. U ontvangt de status binnenkort in een aparte e-mail.",
		"order_change":    "Ons orderteam bekijkt de gevraagde wijziging en bevestigt die aan u, meestal binnen één werkdag. Spoedverzoeken gaan voor.",
		"quote_request":   "Een medewerker van ons verkoopteam stelt uw offerte op en neemt contact met u op, meestal binnen één werkdag.",
		"meeting_request": "Uw contactpersoon bevestigt een tijdstip en stuurt u een agenda-uitnodiging.",
		"complaint":       "Het spijt ons dat te horen. Uw contactpersoon is op de hoogte en neemt persoonlijk contact met u op.",
		"unsubscribe":     "We bevestigen uw afmelding in een aparte e-mail.",
		"handled":         "Uw contactpersoon heeft uw bericht en antwoordt u, meestal binnen één werkdag.",
		"default":         "Een medewerker van ons team leest uw bericht en antwoordt u.",
	},
	"pt": {
		"order_status":    "Estamos a verificar a sua encomenda. Receberá o estado em breve num e-mail separado.",
		"order_change":    "A nossa equipa de encomendas vai analisar a alteração pedida e confirmá-la, normalmente dentro de um dia útil. Os pedidos urgentes são tratados primeiro.",
		"quote_request":   "Um membro da nossa equipa comercial vai preparar o seu orçamento e contactá-lo, normalmente dentro de um dia útil.",
		"meeting_request": "O seu contacto vai confirmar uma hora e enviar-lhe um convite de calendário.",
		"complaint":       "Lamentamos o sucedido. O seu contacto foi informado e vai contactá-lo pessoalmente.",
		"unsubscribe":     "Vamos confirmar o cancelamento da subscrição num e-mail separado.",
		"handled":         "O seu contacto recebeu a sua mensagem e vai responder-lhe, normalmente dentro de um dia útil.",
		"default":         "Um membro da nossa equipa vai ler a sua mensagem e responder-lhe.",
	},
}

// NextStepIn is [NextStep] in language; English for a language without
// its own words.
func NextStepIn(language, category string) string {
	steps, ok := nextSteps[language]
	if !ok {
		return NextStep(category)
	}
	switch category {
	case "support", "billing", "account":
		category = "handled"
	}
	if s, ok := steps[category]; ok {
		return s
	}
	return steps["default"]
}
