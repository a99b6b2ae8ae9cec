package assign

import (
	"slices"
	"strings"
)

// fallbackLanguage is the language of a rep who has none configured:
// English, the language salesdesk itself writes in.
const fallbackLanguage = "en"

// Speaks reports whether the rep writes to customers in language (an ISO
// 639-1 code). A rep with no languages configured speaks English only;
// an empty language is spoken by everyone.
func Speaks(languages []string, language string) bool {
	language = strings.ToLower(strings.TrimSpace(language))
	if language == "" {
		return true
	}
	if len(languages) == 0 {
		return language == fallbackLanguage
	}
	return slices.ContainsFunc(languages, func(l string) bool { return strings.EqualFold(strings.TrimSpace(l), language) })
}

// preferLanguage keeps only the available reps who speak the lead's
// language when one does; the others stand in otherwise, so a lead in a
// language nobody speaks still reaches someone.
func preferLanguage(cands []Rep, l Lead) []Rep {
	if l.Language == "" {
		return cands
	}
	if slices.ContainsFunc(cands, func(r Rep) bool { return Speaks(r.Languages, l.Language) }) {
		return slices.DeleteFunc(cands, func(r Rep) bool { return !Speaks(r.Languages, l.Language) })
	}
	return cands
}

// ownerSpeaks reports whether the account owner keeps a lead in the
// customer's language: when the owner speaks it, or when no other active
// rep does.
func ownerSpeaks(reps []Rep, owner Rep, l Lead) bool {
	if Speaks(owner.Languages, l.Language) {
		return true
	}
	return !slices.ContainsFunc(reps, func(r Rep) bool { return r.Active && Speaks(r.Languages, l.Language) })
}
