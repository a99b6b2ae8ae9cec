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
// order status words, dates, lists, the signature's and the item table's
// labels), per language, written by hand.
func languageFuncs(loc *time.Location) map[string]any {
	return map[string]any{
		"nextstepin": NextStepIn,
		"statusin":   statusIn,
		"listin":     listIn,
		"signin": func(language string, s Signer) langSigner {
			return langSigner{Signer: s, Words: wordsIn(language)}
		},
		"itemsin": func(language string, items []OrderItem) langItems {
			return langItems{Items: items, Language: language, Words: wordsIn(language)}
		},
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

// langWords are the labels the shared blocks "signature_in" and
// "items_in" show in a language.
type langWords struct {
	Regards, Phone, Email, Hours string // signature; labels end in their colon
	Qty, Item, Description       string // item table (HTML)
}

// langSigner is a Signer with the words to sign in a language.
type langSigner struct {
	Signer
	Words langWords
}

// langItems are order lines with the words to show them in a language.
type langItems struct {
	Items    []OrderItem
	Language string
	Words    langWords
}

var signWords = map[string]langWords{
	"en": {Regards: "Kind regards,", Phone: "Phone:", Email: "Email:", Hours: "Hours:", Qty: "Qty", Item: "Item", Description: "Description"},
	"de": {Regards: "Mit freundlichen Grüßen", Phone: "Telefon:", Email: "E-Mail:", Hours: "Geschäftszeiten:", Qty: "Menge", Item: "Artikel", Description: "Beschreibung"},
	"fr": {Regards: "Cordialement,", Phone: "Téléphone :", Email: "E-mail :", Hours: "Horaires :", Qty: "Qté", Item: "Article", Description: "Description"},
	"es": {Regards: "Atentamente,", Phone: "Teléfono:", Email: "Correo electrónico:", Hours: "Horario:", Qty: "Cant.", Item: "Artículo", Description: "Descripción"},
	"it": {Regards: "Cordiali saluti,", Phone: "Telefono:", Email: "E-mail:", Hours: "Orari:", Qty: "Q.tà", Item: "Articolo", Description: "Descrizione"},
	"nl": {Regards: "Met vriendelijke groet,", Phone: "Telefoon:", Email: "E-mail:", Hours: "Openingstijden:", Qty: "Aantal", Item: "Artikel", Description: "Omschrijving"},
	"pt": {Regards: "Com os melhores cumprimentos,", Phone: "Telefone:", Email: "E-mail:", Hours: "Horário:", Qty: "Qtd.", Item: "Artigo", Description: "Descrição"},
}

// wordsIn are the block labels in language; English for one without.
func wordsIn(language string) langWords {
	if w, ok := signWords[language]; ok {
		return w
	}
	return signWords["en"]
}

// andWords join the last two items of a list per language.
var andWords = map[string]string{
	"de": "und", "fr": "et", "es": "y", "it": "e", "nl": "en", "pt": "e",
}

// listIn is the "list" helper in language: "a, b und c".
func listIn(language string, items []string) string {
	and, ok := andWords[language]
	if !ok {
		return wordList(items)
	}
	clean := make([]string, 0, len(items))
	for _, it := range items {
		if it = HeaderText(it); it != "" {
			clean = append(clean, it)
		}
	}
	if len(clean) < 2 {
		return strings.Join(clean, "")
	}
	return strings.Join(clean[:len(clean)-1], ", ") + " " + and + " " + clean[len(clean)-1]
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

// nextSteps are NextStepBy per language; {who} stands for who answers.
var nextSteps = map[string]map[string]string{
	"de": {
		"who":             "Ein Mitglied unseres Teams",
		"order":           "{who} sieht sich Ihre Bestellung an und antwortet Ihnen.",
		"quote_request":   "{who} erstellt Ihr Angebot und meldet sich bei Ihnen.",
		"meeting_request": "Sie erhalten in Kürze eine eigene E-Mail: entweder freie Termine, unter denen Sie mit einem Klick wählen, oder, wenn wir nicht sofort Termine anbieten können, die Nachricht, dass ein Mitglied unseres Vertriebsteams Ihnen einen Termin vorschlägt. Sobald ein Termin gebucht ist, folgt eine Kalendereinladung.",
		"complaint":       "Es tut uns leid, das zu hören. {who} hat Ihre Nachricht und meldet sich persönlich bei Ihnen.",
		"unsubscribe":     "Wir bestätigen Ihre Abmeldung in einer eigenen E-Mail.",
		"default":         "{who} liest Ihre Nachricht und antwortet Ihnen.",
	},
	"fr": {
		"who":             "Un membre de notre équipe",
		"order":           "{who} examinera votre commande et vous répondra.",
		"quote_request":   "{who} préparera votre devis et vous contactera.",
		"meeting_request": "Vous recevrez sous peu un e-mail séparé : soit des créneaux libres à choisir d'un clic, soit, si aucun ne peut être proposé tout de suite, l'annonce qu'un membre de notre équipe commerciale vous proposera un horaire. Dès qu'un horaire est réservé, vous recevrez une invitation d'agenda.",
		"complaint":       "Nous sommes désolés de ce que vous avez vécu. {who} a bien reçu votre message et vous contactera personnellement.",
		"unsubscribe":     "Nous vous confirmerons votre désinscription dans un e-mail séparé.",
		"default":         "{who} lira votre message et vous répondra.",
	},
	"es": {
		"who":             "Un miembro de nuestro equipo",
		"order":           "{who} revisará su pedido y le responderá.",
		"quote_request":   "{who} preparará su presupuesto y se pondrá en contacto con usted.",
		"meeting_request": "En breve recibirá un correo aparte: o bien horarios libres para elegir con un clic o, si no podemos ofrecerlos de inmediato, el aviso de que un miembro de nuestro equipo comercial le propondrá una hora. Cuando se reserve una hora, recibirá una invitación de calendario.",
		"complaint":       "Lamentamos lo ocurrido. {who} ha recibido su mensaje y se pondrá en contacto con usted personalmente.",
		"unsubscribe":     "Le confirmaremos la baja en un correo aparte.",
		"default":         "{who} leerá su mensaje y le responderá.",
	},
	"it": {
		"who":             "Un membro del nostro team",
		"order":           "{who} verificherà il suo ordine e le risponderà.",
		"quote_request":   "{who} preparerà il suo preventivo e la contatterà.",
		"meeting_request": "A breve riceverà un'e-mail separata: o degli orari liberi da scegliere con un clic oppure, se non possiamo proporne subito, l'avviso che un membro del nostro team commerciale le proporrà un orario. Una volta fissato l'orario, riceverà un invito nel calendario.",
		"complaint":       "Ci dispiace per quanto accaduto. {who} ha ricevuto il suo messaggio e la contatterà personalmente.",
		"unsubscribe":     "Le confermeremo la cancellazione in un'e-mail separata.",
		"default":         "{who} leggerà il suo messaggio e le risponderà.",
	},
	"nl": {
		"who":             "Een medewerker van ons team",
		"order":           "{who} bekijkt uw bestelling en antwoordt u.",
		"quote_request":   "{who} stelt uw offerte op en neemt contact met u op.",
		"meeting_request": "U ontvangt binnenkort een aparte e-mail: ofwel vrije tijden waaruit u met één klik kiest, ofwel, als we die niet meteen kunnen aanbieden, het bericht dat een medewerker van ons verkoopteam een tijdstip voorstelt. Zodra een tijdstip geboekt is, volgt een agenda-uitnodiging.",
		"complaint":       "Het spijt ons dat te horen. {who} heeft uw bericht ontvangen en neemt persoonlijk contact met u op.",
		"unsubscribe":     "We bevestigen uw afmelding in een aparte e-mail.",
		"default":         "{who} leest uw bericht en antwoordt u.",
	},
	"pt": {
		"who":             "Um membro da nossa equipa",
		"order":           "{who} vai analisar a sua encomenda e responder-lhe.",
		"quote_request":   "{who} vai preparar o seu orçamento e entrar em contacto consigo.",
		"meeting_request": "Receberá em breve um e-mail separado: ou horários livres para escolher com um clique ou, se não for possível propô-los de imediato, o aviso de que um membro da nossa equipa comercial lhe vai propor uma hora. Assim que uma hora for marcada, receberá um convite de calendário.",
		"complaint":       "Lamentamos o sucedido. {who} recebeu a sua mensagem e vai entrar em contacto consigo pessoalmente.",
		"unsubscribe":     "Vamos confirmar o cancelamento da subscrição num e-mail separado.",
		"default":         "{who} vai ler a sua mensagem e responder-lhe.",
	},
}

// NextStepIn is [NextStepBy] in language; English for a language without
// its own words. Of who (AckData.Who, "Rita Rep, your account manager,")
// it names only the person, the part before the first comma: the rest is
// English; "" is a member of our team.
func NextStepIn(language, who, category string) string {
	steps, ok := nextSteps[language]
	if !ok {
		return NextStepBy(who, category)
	}
	name, _, _ := strings.Cut(HeaderText(who), ",")
	if name = strings.TrimSpace(name); name == "" {
		name = steps["who"]
	}
	switch category {
	case "order_status", "order_change":
		category = "order"
	}
	s, ok := steps[category]
	if !ok || category == "who" {
		s = steps["default"]
	}
	return strings.ReplaceAll(s, "{who}", name)
}
