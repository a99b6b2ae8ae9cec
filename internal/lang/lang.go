package lang

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/abadojack/whatlanggo"
)

// Supported are the languages salesdesk detects, as ISO 639-1 codes:
// English first, the fallback.
var Supported = []string{"en", "de", "fr", "es", "it", "nl", "pt"}

// English is the language of a mail nothing else fits.
const English = "en"

var whatlang = map[string]whatlanggo.Lang{
	"en": whatlanggo.Eng, "de": whatlanggo.Deu, "fr": whatlanggo.Fra, "es": whatlanggo.Spa,
	"it": whatlanggo.Ita, "nl": whatlanggo.Nld, "pt": whatlanggo.Por,
}

// Detector detects the language of a text among a configured set. It is
// safe for concurrent use.
type Detector struct {
	langs    []string
	opts     whatlanggo.Options
	fallback string
}

// NewDetector returns a detector restricted to langs (ISO 639-1 codes, each
// one of [Supported]); the first is the fallback for text without words.
// No langs means all of Supported.
func NewDetector(langs []string) (*Detector, error) {
	if len(langs) == 0 {
		langs = Supported
	}
	d := &Detector{opts: whatlanggo.Options{Whitelist: map[whatlanggo.Lang]bool{}}}
	for _, l := range langs {
		l = Normalize(l)
		if !slices.Contains(Supported, l) {
			return nil, fmt.Errorf("lang: unsupported language %q (supported: %s)", l, strings.Join(Supported, ", "))
		}
		if !slices.Contains(d.langs, l) {
			d.langs = append(d.langs, l)
			d.opts.Whitelist[whatlang[l]] = true
		}
	}
	d.fallback = d.langs[0]
	return d, nil
}

// Languages returns the languages the detector chooses from.
func (d *Detector) Languages() []string {
	return slices.Clone(d.langs)
}

// Normalize lowercases a language code and drops a region ("pt-BR" is
// "pt").
func Normalize(code string) string {
	code = strings.ToLower(strings.TrimSpace(code))
	if i := strings.IndexAny(code, "-_"); i >= 0 {
		code = code[:i]
	}
	return code
}

// maxDetectBytes bounds the work per mail: the language shows in the
// first lines.
const maxDetectBytes = 2000

// trigramVote is what the trigram detector's choice counts against
// function words: one confident word more outweighs it.
const trigramVote = 1.5

// Detect returns the language of text: the configured language with the
// most votes, a vote for each function word of that language and
// [trigramVote] for whatlanggo's choice. Text with no letters gets the
// fallback language.
func (d *Detector) Detect(text string) string {
	l, _ := d.Guess(text)
	return l
}

// sureLead is the lead in votes over the runner-up from which a guess is
// sure: two function words more, or the trigrams and one word.
const sureLead = 2

// Guess returns what [Detect] returns and whether the text said it
// clearly: sure when the winner leads the runner-up by at least sureLead
// votes or whatlanggo is confident of the same language. A mail too short
// or too mixed to tell is not sure; the caller may then prefer a language
// it knows from elsewhere (the customer's earlier mails).
func (d *Detector) Guess(text string) (language string, sure bool) {
	if len(text) > maxDetectBytes {
		text = text[:maxDetectBytes]
	}
	if len(d.langs) == 1 {
		return d.fallback, true
	}
	votes := make(map[string]float64, len(d.langs))
	words := 0
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	}) {
		words++
		for _, l := range d.langs {
			if functionWords[l][w] {
				votes[l]++
			}
		}
	}
	if words == 0 {
		return d.fallback, false
	}
	// When the function words lead by more than the trigram vote, the
	// trigrams cannot change the answer: skip them, the costly part.
	if best, lead := d.leader(votes); lead > trigramVote {
		return best, lead >= sureLead
	}
	info := whatlanggo.DetectWithOptions(text, d.opts)
	for _, l := range d.langs {
		if whatlang[l] == info.Lang {
			votes[l] += trigramVote
		}
	}
	best, lead := d.leader(votes)
	return best, lead >= sureLead || whatlang[best] == info.Lang && info.IsReliable()
}

// leader returns the configured language with the most votes (the first
// in configured order on a tie) and its lead over the runner-up.
func (d *Detector) leader(votes map[string]float64) (string, float64) {
	best, bestVotes, second := d.fallback, -1.0, -1.0
	for _, l := range d.langs {
		switch v := votes[l]; {
		case v > bestVotes:
			best, bestVotes, second = l, v, bestVotes
		case v > second:
			second = v
		}
	}
	return best, bestVotes - second
}

// names are the supported languages' names in English, the language the
// desk, the reports and the reps' mails are written in.
var names = map[string]string{
	"en": "English", "de": "German", "fr": "French", "es": "Spanish",
	"it": "Italian", "nl": "Dutch", "pt": "Portuguese",
}

// Name returns a language's name in English ("de" is "German"); a code it
// does not know stays as it is, and "" stays "".
func Name(code string) string {
	if n, ok := names[Normalize(code)]; ok {
		return n
	}
	return strings.TrimSpace(code)
}

// Foreign returns a language's name when the code is a language other
// than English, else "": what a line "Language: German" shows, left out
// for the usual English and for inquiries whose language is unknown.
func Foreign(code string) string {
	if c := Normalize(code); c == "" || c == English {
		return ""
	}
	return Name(code)
}
