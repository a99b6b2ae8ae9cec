package routing

import (
	"math"
	"regexp"
	"unicode"
	"unicode/utf8"
)

// Feature groups. Each group's features share one value, its weight divided
// by the square root of its feature count, so a long mail does not shout
// louder than a short one and no group drowns the others.
const (
	groupWord    = iota // word unigrams and bigrams of subject and text
	groupChar           // character 3-5-grams inside words
	groupSubject        // subject unigrams and bigrams, prefixed "s:"
	groupClass          // word classes (see wordClassLexicon), unigrams and bigrams
	numGroups
)

// Hash seeds keep the groups apart in the shared hash space.
var groupSeed = [numGroups]uint32{0x9e3779b9, 0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f}

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619

	// maxTextBytes bounds the work per mail: what a customer asks is in
	// the first few thousand characters.
	maxTextBytes = 6000
	// maxCharWord bounds character n-grams per token (URLs, part numbers).
	maxCharWord = 24
	minNgram    = 3
	maxNgram    = 5
)

// FeatureOptions shape the features a model sees. They are saved with the
// model, since a model only understands the features it was trained on.
type FeatureOptions struct {
	// Bits is log2 of the hashed feature space (default 18).
	Bits int
	// WordWeight, CharWeight and SubjectWeight scale the feature groups
	// (defaults 1.5, 2, 0.7, chosen by cross-validation on the training
	// split).
	WordWeight    float64
	CharWeight    float64
	SubjectWeight float64
	// ClassWeight scales the word-class group (default 0.5, chosen on the
	// held-out split); a model saved
	// before word classes existed has 0 and ignores them.
	ClassWeight float64
}

func (o FeatureOptions) withDefaults() FeatureOptions {
	if o.Bits <= 0 {
		o.Bits = 18
	}
	if o.WordWeight == 0 {
		o.WordWeight = 1.5
	}
	if o.CharWeight == 0 {
		o.CharWeight = 2
	}
	if o.SubjectWeight == 0 {
		o.SubjectWeight = 0.7
	}
	if o.ClassWeight == 0 {
		o.ClassWeight = 0.5
	}
	return o
}

// features is one mail turned into hashed feature indices, grouped.
type features struct {
	norm   []byte   // normalised text scratch
	tokens [][2]int // token spans in norm
	idx    []uint32 // feature indices, group after group
	end    [numGroups]int
	val    [numGroups]float32
}

func (f *features) reset() {
	f.norm = f.norm[:0]
	f.tokens = f.tokens[:0]
	f.idx = f.idx[:0]
	f.end = [numGroups]int{}
	f.val = [numGroups]float32{}
}

// extract fills f with the features of a mail: subject words count twice,
// once plain and once prefixed, text words once, character n-grams of both.
func (f *features) extract(o FeatureOptions, subject, text string) {
	f.reset()
	mask := uint32(1)<<o.Bits - 1

	subject = cleanSubject(subject)
	f.norm = append(f.norm, ' ')
	f.normalize(subject)
	subjEnd := len(f.tokens)
	f.normalize(text)

	// Word unigrams and bigrams, subject and text alike.
	f.words(0, subjEnd, groupWord, mask)
	f.words(subjEnd, len(f.tokens), groupWord, mask)
	f.end[groupWord] = len(f.idx)

	for _, t := range f.tokens {
		f.chars(t, mask)
	}
	f.end[groupChar] = len(f.idx)

	f.words(0, subjEnd, groupSubject, mask)
	f.end[groupSubject] = len(f.idx)

	if o.ClassWeight > 0 {
		f.classes(mask)
	}
	f.end[groupClass] = len(f.idx)

	weights := [numGroups]float64{o.WordWeight, o.CharWeight, o.SubjectWeight, o.ClassWeight}
	start := 0
	for g := range numGroups {
		if n := f.end[g] - start; n > 0 {
			f.val[g] = float32(weights[g] / math.Sqrt(float64(n)))
		}
		start = f.end[g]
	}
}

// normalize appends s to f.norm lowercased, with every run of digits
// replaced by a single '0' (order 48213 and order 99120 look alike), and
// records the token spans. "?", "!" and currency signs are tokens of their
// own: they tell questions, anger and money apart.
func (f *features) normalize(s string) {
	if len(s) > maxTextBytes {
		s = s[:maxTextBytes]
	}
	tokStart := -1
	closeTok := func() {
		if tokStart >= 0 {
			f.tokens = append(f.tokens, [2]int{tokStart, len(f.norm)})
			f.norm = append(f.norm, ' ')
			tokStart = -1
		}
	}
	lastDigit := false
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		switch {
		case r >= '0' && r <= '9':
			if lastDigit {
				continue
			}
			if tokStart < 0 {
				tokStart = len(f.norm)
			}
			f.norm = append(f.norm, '0')
			lastDigit = true
			continue
		case r >= 'a' && r <= 'z':
			if tokStart < 0 {
				tokStart = len(f.norm)
			}
			f.norm = append(f.norm, byte(r))
		case r >= 'A' && r <= 'Z':
			if tokStart < 0 {
				tokStart = len(f.norm)
			}
			f.norm = append(f.norm, byte(r+'a'-'A'))
		case r == '\'' || r == '’':
			// Inside a word (don't, customer's) it stays; elsewhere it
			// separates.
			if tokStart >= 0 && i < len(s) && isWordByte(s[i]) {
				f.norm = append(f.norm, '\'')
			} else {
				closeTok()
			}
		case r == '?' || r == '!' || r == '$' || r == '€' || r == '£':
			closeTok()
			start := len(f.norm)
			switch r {
			case '?', '!':
				f.norm = append(f.norm, byte(r))
			default:
				f.norm = append(f.norm, '$')
			}
			f.tokens = append(f.tokens, [2]int{start, len(f.norm)})
			f.norm = append(f.norm, ' ')
			// Collapse "!!!" and "??" into one token.
			for i < len(s) && (s[i] == byte(r) && r < utf8.RuneSelf) {
				i++
			}
		case unicode.IsLetter(r):
			if tokStart < 0 {
				tokStart = len(f.norm)
			}
			f.norm = utf8.AppendRune(f.norm, unicode.ToLower(r))
		default:
			closeTok()
		}
		lastDigit = false
	}
	closeTok()
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func hashBytes(h uint32, b []byte) uint32 {
	for _, c := range b {
		h ^= uint32(c)
		h *= fnvPrime
	}
	return h
}

// finish mixes a hash so that nearby inputs spread over the whole table.
func finish(h uint32) uint32 {
	h ^= h >> 16
	h *= 0x7feb352d
	h ^= h >> 15
	h *= 0x846ca68b
	h ^= h >> 16
	return h
}

// words emits unigrams and bigrams of tokens [from, to).
func (f *features) words(from, to, group int, mask uint32) {
	seed := groupSeed[group]
	var prev uint32
	for i := from; i < to; i++ {
		t := f.tokens[i]
		h := hashBytes(fnvOffset^seed, f.norm[t[0]:t[1]])
		f.idx = append(f.idx, finish(h)&mask)
		if i > from {
			f.idx = append(f.idx, finish(prev*0x01000193^h^0x5bd1e995)&mask)
		}
		prev = h
	}
}

// chars emits the character n-grams of one token padded with spaces, so
// "shiped" still shares most of its n-grams with "shipped".
func (f *features) chars(t [2]int, mask uint32) {
	// norm starts with a space and has one after every token: the padding.
	start, end := t[0]-1, t[1]+1
	if end-start > maxCharWord+2 {
		end = start + maxCharWord + 2
	}
	w := f.norm[start:end]
	base := uint32(fnvOffset) ^ groupSeed[groupChar]
	for i := 0; i+minNgram <= len(w); i++ {
		h := base
		for n := 1; n <= maxNgram && i+n <= len(w); n++ {
			h ^= uint32(w[i+n-1])
			h *= fnvPrime
			if n >= minNgram {
				f.idx = append(f.idx, finish(h)&mask)
			}
		}
	}
}

// classes emits the word class of every token that has one, and each
// pair of classes that follow each other (other words between them do not
// count), so "cancel … order" and "Bestellung … stornieren" look alike.
func (f *features) classes(mask uint32) {
	ix := wordClasses()
	seed := groupSeed[groupClass]
	var prev uint32
	for _, t := range f.tokens {
		c := ix.class(f.norm[t[0]:t[1]])
		if c == 0 {
			continue
		}
		h := (uint32(c) + 1) * 0x9e3779b1
		f.idx = append(f.idx, finish(h^seed)&mask)
		if prev != 0 {
			f.idx = append(f.idx, finish(prev*0x01000193^h^seed^0x5bd1e995)&mask)
		}
		prev = h
	}
}

var subjectPrefixRe = regexp.MustCompile(`(?i)^(?:\s*(?:re|fw|fwd|aw|wg|sv|vs|tr|antw|rif)\s*(?:\[\d+\])?\s*:\s*)+`)

// cleanSubject drops reply and forward prefixes.
func cleanSubject(s string) string {
	return subjectPrefixRe.ReplaceAllString(s, "")
}
