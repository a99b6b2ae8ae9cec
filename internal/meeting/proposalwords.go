package meeting

import (
	"regexp"
	"sort"
	"strings"
	"time"
)

// The words customers propose a meeting time with, in every language
// salesdesk answers in (en de fr es it nl pt), all at once: a mail names a
// time in one language, and no word here means two different things in
// two of them except where the readers below say how they tell them
// apart (Spanish "mañana", German and Dutch "morgen"). Every word is
// folded (lower case, no accents, see fold), so "Mittwoch", "miércoles"
// and "miercoles" are the same to the reader.

var weekdayWords = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "tues": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
	// de
	"sonntag": time.Sunday, "montag": time.Monday, "dienstag": time.Tuesday, "mittwoch": time.Wednesday,
	"donnerstag": time.Thursday, "freitag": time.Friday, "samstag": time.Saturday, "sonnabend": time.Saturday,
	// fr
	"dimanche": time.Sunday, "lundi": time.Monday, "mardi": time.Tuesday, "mercredi": time.Wednesday,
	"jeudi": time.Thursday, "vendredi": time.Friday, "samedi": time.Saturday,
	// es (domingo, sabado also pt)
	"domingo": time.Sunday, "lunes": time.Monday, "martes": time.Tuesday, "miercoles": time.Wednesday,
	"jueves": time.Thursday, "viernes": time.Friday, "sabado": time.Saturday,
	// it
	"domenica": time.Sunday, "lunedi": time.Monday, "martedi": time.Tuesday, "mercoledi": time.Wednesday,
	"giovedi": time.Thursday, "venerdi": time.Friday,
	// nl
	"zondag": time.Sunday, "maandag": time.Monday, "dinsdag": time.Tuesday, "woensdag": time.Wednesday,
	"donderdag": time.Thursday, "vrijdag": time.Friday, "zaterdag": time.Saturday,
	// pt
	"segunda-feira": time.Monday, "terca-feira": time.Tuesday, "quarta-feira": time.Wednesday,
	"quinta-feira": time.Thursday, "sexta-feira": time.Friday,
	"segunda": time.Monday, "terca": time.Tuesday, "quarta": time.Wednesday, "quinta": time.Thursday, "sexta": time.Friday,
}

// relativeWords are days counted from the day the customer wrote.
var relativeWords = map[string]int{
	"today": 0, "heute": 0, "aujourd'hui": 0, "hoy": 0, "oggi": 0, "vandaag": 0, "hoje": 0,
	"tomorrow": 1, "morgen": 1, "demain": 1, "manana": 1, "domani": 1, "amanha": 1,
	"the day after tomorrow": 2, "ubermorgen": 2, "apres-demain": 2, "apres demain": 2, "pasado manana": 2,
	"dopodomani": 2, "overmorgen": 2, "depois de amanha": 2,
}

var monthWords = map[string]time.Month{
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
	"september": 9, "october": 10, "november": 11, "december": 12,
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
	// de
	"januar": 1, "janner": 1, "februar": 2, "marz": 3, "mai": 5, "juni": 6, "juli": 7, "oktober": 10, "dezember": 12,
	// fr
	"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "juin": 6, "juillet": 7, "aout": 8, "septembre": 9,
	"octobre": 10, "novembre": 11, "decembre": 12,
	// es
	"enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
	"septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
	// it
	"gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7, "settembre": 9,
	"ottobre": 10, "dicembre": 12,
	// nl
	"januari": 1, "februari": 2, "maart": 3, "mei": 5, "augustus": 8,
	// pt
	"janeiro": 1, "fevereiro": 2, "marco": 3, "maio": 5, "junho": 6, "julho": 7, "setembro": 9,
	"outubro": 10, "dezembro": 12,
}

// englishWords are the day and month words above that are English: a
// mail naming any other is read with European dates (3/4 is 3 April).
var englishWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
		"sun", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "today", "tomorrow",
		"the day after tomorrow", "january", "february", "march", "april", "may", "june", "july", "august",
		"september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
		"sep", "sept", "oct", "nov", "dec"} {
		m[w] = true
	}
	return m
}()

// partWords are the parts of a day, by the English name dayParts keys.
var partWords = map[string]string{
	"morning": "morning", "vormittag": "morning", "vormittags": "morning", "morgens": "morning",
	"morgen": "morning", "fruh": "morning", "matin": "morning", "matinee": "morning", "manana": "morning",
	"mattina": "morning", "mattinata": "morning", "ochtend": "morning", "ochtends": "morning", "manha": "morning",
	"noon": "noon", "lunchtime": "noon", "lunch": "noon", "mittag": "noon", "mittags": "noon", "midi": "noon",
	"mediodia": "noon", "mezzogiorno": "noon", "meio-dia": "noon", "meio dia": "noon",
	"afternoon": "afternoon", "nachmittag": "afternoon", "nachmittags": "afternoon", "apres-midi": "afternoon",
	"apres midi": "afternoon", "tarde": "afternoon", "pomeriggio": "afternoon", "middag": "afternoon",
	"middags": "afternoon",
	"evening": "evening", "abend": "evening", "abends": "evening", "soir": "evening", "soiree": "evening",
	"noche": "evening", "sera": "evening", "serata": "evening", "avond": "evening", "avonds": "evening",
	"noite": "evening",
}

// Parts of a day, in local wall-clock hours.
var dayParts = map[string][2]int{
	"morning":   {9, 12},
	"noon":      {12, 13},
	"afternoon": {13, 17},
	"evening":   {17, 19},
}

// nextWords ask for the coming such weekday ("nächsten Dienstag", "mardi
// prochain"); only English "next" said early in a week means the one in
// the week after (see resolveWeekday). thisWords let it be today.
var (
	nextWords = map[string]bool{"next": true, "nachsten": true, "nachste": true, "nachster": true,
		"kommenden": true, "kommende": true, "prochain": true, "prochaine": true, "proximo": true, "proxima": true,
		"prossimo": true, "prossima": true, "volgende": true, "komende": true, "que viene": true, "que vem": true}
	thisWords = map[string]bool{"this": true, "diesen": true, "ce": true, "este": true, "esta": true,
		"questo": true, "deze": true, "nesta": true, "neste": true}
)

// dayStarts are the first words of a day: a weekday, a relative day, a
// month or a word before a weekday ("next", "am", "el").
var dayStarts = func() map[string]bool {
	m := map[string]bool{}
	for _, ws := range [][]string{keys(weekdayWords), keys(relativeWords), keys(monthWords), keys(nextWords),
		keys(thisWords), {"on", "am", "le", "el", "il", "op", "na", "no", "a", "la", "den", "o", "ao", "lo"}} {
		for _, w := range ws {
			m[strings.Fields(w)[0]] = true
		}
	}
	return m
}()

// mayStartDay reports whether word w (folded) can begin a day: a number,
// a word of dayStarts, or one with a weekday or relative day glued to a
// part of the day ("dienstagmorgen", "morgenochtend").
func mayStartDay(w string) bool {
	if w[0] >= '0' && w[0] <= '9' || dayStarts[w] {
		return true
	}
	if i := strings.IndexAny(w, "-'"); i > 0 && dayStarts[w[:i]] {
		return true
	}
	for k := range weekdayWords {
		if strings.HasPrefix(w, k) {
			return true
		}
	}
	for k := range relativeWords {
		if strings.HasPrefix(w, k) {
			return true
		}
	}
	return false
}

// alt is a regexp alternation of words, longest first so that "montag"
// wins over "mon"; a space in a word matches any run of spaces.
func alt(words ...[]string) string {
	var all []string
	seen := map[string]bool{}
	for _, ws := range words {
		for _, w := range ws {
			if !seen[w] {
				seen[w] = true
				all = append(all, w)
			}
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if len(all[i]) != len(all[j]) {
			return len(all[i]) > len(all[j])
		}
		return all[i] < all[j]
	})
	for i, w := range all {
		all[i] = strings.ReplaceAll(regexp.QuoteMeta(w), " ", `\s+`)
	}
	return strings.Join(all, "|")
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

var (
	weekdayAlt = alt(keys(weekdayWords))
	monthAlt   = alt(keys(monthWords))
	partAlt    = alt(keys(partWords))

	// dayRe finds a day: a weekday with the words around it that say
	// which one ("am nächsten Dienstag", "mardi prochain", "el próximo
	// martes"), a relative day, or a date ("3. März", "3 de marzo",
	// "March 3rd", "03.03.", "3/3").
	// It is matched only where a word that can begin a day begins (see
	// dayStarts), so a long mail costs a map lookup a word.
	dayRe = regexp.MustCompile(`^(?:` +
		`(?P<pre>(?:(?:` + alt(keys(nextWords), keys(thisWords), []string{"on", "am", "le", "el", "il", "op", "na", "no",
		"a", "la", "den", "o", "ao", "lo"}) + `)\s+){0,2})(?P<wd>` + weekdayAlt + `)(?:\s+(?P<suf>prochaine|prochain|que\s+viene|que\s+vem|proximo|proxima|prossimo|prossima))?` +
		`|(?P<rel>` + alt(keys(relativeWords)) + `)` +
		`|(?P<d1>\d{1,2})(?:\.|st|nd|rd|th|er|º|°)?\s*(?:de\s+|of\s+)?(?P<m1>` + monthAlt + `)\b\.?(?:,?\s+(?:de\s+)?(?P<y1>\d{4}))?` +
		`|(?P<m2>` + monthAlt + `)\b\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y2>\d{4}))?` +
		`|(?P<d3>\d{1,2})\.(?P<m3>\d{1,2})\.(?P<y3>\d{4}|\d{2})?` +
		`|(?P<d4>\d{1,2})/(?P<m4>\d{1,2})(?:/(?P<y4>\d{4}|\d{2}))?` +
		`)`)

	// notTomorrowRe ends the text before a "morgen" or "mañana" that is a
	// morning, not tomorrow: "am Morgen", "Guten Morgen", "heute morgen",
	// "Dienstag morgen", "por la mañana".
	notTomorrowRe = regexp.MustCompile(`\b(?:am|guten|jeden|heute|gestern|por\s+la|de\s+la|en\s+la|esta|la|` + weekdayAlt + `)\s+$`)

	// mergeGapRe is what may stand between a weekday and its date:
	// "Dienstag, den 10. März", "Friday the 13th of March".
	mergeGapRe = regexp.MustCompile(`^[\s,]*(?:(?:den|der|the|le|el|il|de|op|no|dia|am|o|lo)\s+)*$`)

	// gluedPartRe is a part of day written into the day's word:
	// "Dienstagmorgen", "dinsdagochtend", "morgenmiddag".
	gluedPartRe = regexp.MustCompile(`^(vormittags?|nachmittags?|morgens?|abends?|mittags?|ochtend|middag|avond|fruh)`)

	// partRe is a part of a day after the day ("Friday morning",
	// "jeudi après-midi"), trailingPartRe one that qualifies a time
	// after it ("3 de la tarde", "10 du matin", "3 in the afternoon").
	partRe         = regexp.MustCompile(`^[\s,]*(` + partAlt + `)`)
	trailingPartRe = regexp.MustCompile(`^[\s,]*(?:(?:in|de|da|di|du|del|della|nel|nella|des|of)\s+)?(?:(?:the|la|le|l'|'s|de|a)\s*)?(` + partAlt + `)`)

	// fillerRe is a word between a day and its time: its first group is
	// one that introduces a time ("at", "um", "à", "a las", "alle", "om",
	// "às"), which a bare number needs to be read as one.
	fillerRe = regexp.MustCompile(`^[\s,]*(?:(@\s*|(?:` +
		`at|around|about|from|um|gegen|ab|von|zwischen|a|as|ao|au|vers|des|sobre|hacia|alle|alla|verso|dalle|dalla|` +
		`om|rond|omstreeks|vanaf|tussen|pelas|por\s+volta\s+das|ca\.?|circa|ungefahr|etwa|entre` +
		`)(?:\s+|,|$))|(?:l'|all'|dell'|d'|'s\s+|(?:` +
		`the|in|on|am|an|de|la|las|le|les|du|en|por|pela|pelo|da|das|do|di|del|nel|nella|della|op|zu|so|dann|then|` +
		`ore|bitte|please|maybe|perhaps|vielleicht|gerne|gern|eventuell|evtl\.?|peut-etre|quizas|tal\s+vez|forse|` +
		`misschien|talvez|dia|den|der|\d{1,2}(?:st|nd|rd|th)` +
		`)(?:\s+|,|$)))`)

	// clockRe is a time of day: "15", "15:30", "15.30", "15h30", "3pm",
	// "15 Uhr", "10h", "15.00 uur", "15 horas".
	clockRe = regexp.MustCompile(`^(\d{1,2})(?:(?:[:.]|h\s?)(\d{2}))?\s*(a\.m\.|p\.m\.|a\.m|p\.m|am|pm|uhr|heures|heure|horas|hora|hrs|hr|hs|uur|ore|h)?`)

	// unitRe after a bare number makes it a quantity, a price or a
	// length, not a time: "15 Stück", "12 pieces", "3 hours".
	unitRe = regexp.MustCompile(`^\s*(?:stuck|stk|pieces?|pcs|units?|unites?|unidades?|unidad|pezzi|stuks|pecas|` +
		`kg|eur|euros?|usd|chf|€|\$|£|%|prozent|percent|mal|times|fois|veces|volte|keer|vezes|jahre?|years?|ans?|anos?|anni|jaar|` +
		`tage?|days?|jours?|dias?|giorni|dagen|minuten|minutes?|mins?|minuti|minutos|stunden?|hours?|uren|weeks?|wochen?|` +
		`semaines?|semanas?|settimane|weken|x)(?:[^a-z0-9]|$)`)
)
