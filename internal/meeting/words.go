package meeting

import (
	"strconv"
	"strings"
	"time"
)

// The words of meeting times in the languages customer mails are written
// in (ISO 639-1 codes, as the mailer's catalogs): how each writes a
// date and time, weekday and month names, lengths of time and attendee
// responses. The sentences around them live in the mailer's phrase
// catalogs; these are the pieces a sentence is filled with. A language
// not listed is written as English.
type timeWords struct {
	weekdays [7]string  // Sunday first, as time.Weekday
	months   [12]string // January first
	// layout writes a start: {weekday} {day} {month} {year} {time}.
	layout string
	// hour, hours, minute, minutes name a length of time.
	hour, hours, minute, minutes string
	// partstat names an attendee's response (PARTSTAT) for their list.
	partstat map[string]string
}

var words = map[string]timeWords{
	"en": {
		weekdays: [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		months:   [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		layout:   "{weekday}, {day} {month} {year}, {time}",
		hour:     "hour", hours: "hours", minute: "minute", minutes: "minutes",
		partstat: map[string]string{"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative", "NEEDS-ACTION": "needs action"},
	},
	"de": {
		weekdays: [7]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
		months:   [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
		layout:   "{weekday}, {day}. {month} {year}, {time} Uhr",
		hour:     "Stunde", hours: "Stunden", minute: "Minute", minutes: "Minuten",
		partstat: map[string]string{"ACCEPTED": "zugesagt", "DECLINED": "abgesagt", "TENTATIVE": "vorläufig", "NEEDS-ACTION": "noch keine Antwort"},
	},
	"fr": {
		weekdays: [7]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
		months:   [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		layout:   "{weekday} {day} {month} {year} à {time}",
		hour:     "heure", hours: "heures", minute: "minute", minutes: "minutes",
		partstat: map[string]string{"ACCEPTED": "accepté", "DECLINED": "refusé", "TENTATIVE": "provisoire", "NEEDS-ACTION": "pas encore de réponse"},
	},
	"es": {
		weekdays: [7]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
		months:   [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		layout:   "{weekday}, {day} de {month} de {year}, {time}",
		hour:     "hora", hours: "horas", minute: "minuto", minutes: "minutos",
		partstat: map[string]string{"ACCEPTED": "aceptada", "DECLINED": "rechazada", "TENTATIVE": "provisional", "NEEDS-ACTION": "sin respuesta aún"},
	},
	"it": {
		weekdays: [7]string{"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"},
		months:   [12]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
		layout:   "{weekday} {day} {month} {year}, ore {time}",
		hour:     "ora", hours: "ore", minute: "minuto", minutes: "minuti",
		partstat: map[string]string{"ACCEPTED": "accettato", "DECLINED": "rifiutato", "TENTATIVE": "provvisorio", "NEEDS-ACTION": "nessuna risposta ancora"},
	},
	"nl": {
		weekdays: [7]string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"},
		months:   [12]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
		layout:   "{weekday} {day} {month} {year}, {time} uur",
		hour:     "uur", hours: "uur", minute: "minuut", minutes: "minuten",
		partstat: map[string]string{"ACCEPTED": "geaccepteerd", "DECLINED": "afgewezen", "TENTATIVE": "voorlopig", "NEEDS-ACTION": "nog geen antwoord"},
	},
	"pt": {
		weekdays: [7]string{"domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"},
		months:   [12]string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
		layout:   "{weekday}, {day} de {month} de {year}, {time}",
		hour:     "hora", hours: "horas", minute: "minuto", minutes: "minutos",
		partstat: map[string]string{"ACCEPTED": "aceite", "DECLINED": "recusado", "TENTATIVE": "provisório", "NEEDS-ACTION": "ainda sem resposta"},
	},
}

// wordsOf is the words of language, English when it has none.
func wordsOf(language string) timeWords {
	if w, ok := words[strings.ToLower(strings.TrimSpace(language))]; ok {
		return w
	}
	return words["en"]
}

// WhenIn formats an instant for a reader of language in loc, as that
// language writes a date and time, naming the zone so the reader never has
// to guess: "Dienstag, 10. März 2026, 15:00 Uhr (CET, UTC+01:00)". The
// zone's abbreviation and offset are the same in every language.
func WhenIn(language string, t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	w := wordsOf(language)
	lt := t.In(loc)
	abbr, off := lt.Zone()
	zone := "UTC" + OffsetName(off)
	if abbr != "" && abbr != OffsetName(off) && abbr[0] != '+' && abbr[0] != '-' {
		zone = abbr + ", " + zone
	}
	s := strings.NewReplacer("{weekday}", w.weekdays[lt.Weekday()], "{day}", strconv.Itoa(lt.Day()),
		"{month}", w.months[lt.Month()-1], "{year}", strconv.Itoa(lt.Year()), "{time}", lt.Format("15:04")).Replace(w.layout)
	return s + " (" + zone + ")"
}

// When formats an instant for an English reader in loc (WhenIn "en"):
// "Tuesday, 10 March 2026, 15:00 (CET, UTC+01:00)".
func When(t time.Time, loc *time.Location) string { return WhenIn("en", t, loc) }

// LeadIn formats a length of time in language: how long a meeting lasts,
// or how long before it a reminder is ("24 Stunden", "30 minutes").
func LeadIn(language string, d time.Duration) string {
	w := wordsOf(language)
	count := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.Itoa(n) + " " + many
	}
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return count(int(d/time.Hour), w.hour, w.hours)
	case d >= time.Minute:
		return count(int(d/time.Minute), w.minute, w.minutes)
	default:
		return d.String()
	}
}

// Lead formats a length of time in English (LeadIn "en"): "24 hours",
// "1 hour", "30 minutes".
func Lead(d time.Duration) string { return LeadIn("en", d) }

// PartstatIn names an attendee's response (a PARTSTAT such as
// "NEEDS-ACTION") in language: "needs action", "noch keine Antwort".
func PartstatIn(language, partstat string) string {
	ps := strings.ToUpper(strings.TrimSpace(partstat))
	if ps == "" {
		ps = "NEEDS-ACTION"
	}
	if s, ok := wordsOf(language).partstat[ps]; ok {
		return s
	}
	return strings.ToLower(strings.ReplaceAll(ps, "-", " "))
}
