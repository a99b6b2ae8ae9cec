package routing

import (
	"bufio"
	"cmp"
	"embed"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"slices"
	"strings"
)

// The labelled example set the default model learns from, written by hand
// for this project. The format of examples/*.tsv, one example a line:
//
//	text<TAB>category[<TAB>subject]
//
// text is the new part of a customer mail, with a line break written as
// the two characters \n, a tab as \t and a backslash as \\; quoted history
// and signatures may follow, as in real mail, since the model must learn
// to ignore them. category is one of [Categories]. subject is optional.
// Lines starting with "#" and blank lines are ignored. The same files are
// valid input for "salesdesk classify --eval", which ignores the subject.
//
//go:embed examples/*.tsv
var exampleFiles embed.FS

// DefaultExamples returns the embedded example set, every split.
func DefaultExamples() []Example {
	var out []Example
	err := fs.WalkDir(exampleFiles, "examples", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := exampleFiles.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		ex, err := ReadExamples(f)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, ex...)
		return nil
	})
	if err != nil {
		// The files are compiled in and checked by tests.
		panic("routing: embedded examples: " + err.Error())
	}
	return out
}

// ReadExamples reads labelled examples in the examples/*.tsv format. An
// unknown category is an error naming the line.
func ReadExamples(r io.Reader) ([]Example, error) {
	var out []Example
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#") {
			continue
		}
		cols := strings.Split(s, "\t")
		if len(cols) < 2 {
			return nil, fmt.Errorf("line %d: want text<TAB>category[<TAB>subject]", line)
		}
		c, ok := ParseCategory(cols[1])
		if !ok {
			return nil, fmt.Errorf("line %d: unknown category %q", line, cols[1])
		}
		ex := Example{Text: Unescape(cols[0]), Category: c}
		if len(cols) > 2 {
			ex.Subject = Unescape(cols[2])
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read examples: %w", err)
	}
	return out, nil
}

// Unescape turns the \n, \t and \\ escapes of a TSV field into the
// characters they stand for; other backslashes stay.
func Unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case 't':
				b.WriteByte('\t')
				i++
				continue
			case '\\':
				b.WriteByte('\\')
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Escape is the inverse of [Unescape], for writing examples.
func Escape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`, "\r", "").Replace(s)
}

// exampleHash is a stable hash of an example's subject and text.
func exampleHash(ex Example) uint64 {
	h := fnv.New64a()
	h.Write([]byte(ex.Subject))
	h.Write([]byte{0})
	h.Write([]byte(ex.Text))
	return h.Sum64()
}

// Split divides examples into the training split and the held-out split
// that no shipped model ever trains on: in each category, the fifth of the
// examples (rounded up) with the lowest stable hash of subject and text.
// The choice does not depend on the order of the examples, and adding an
// example moves at most one other between the splits.
func Split(examples []Example) (train, heldOut []Example) {
	byCat := make(map[Category][]int)
	for i, ex := range examples {
		byCat[ex.Category] = append(byCat[ex.Category], i)
	}
	held := make([]bool, len(examples))
	for _, idx := range byCat {
		slices.SortFunc(idx, func(a, b int) int {
			return cmp.Compare(exampleHash(examples[a]), exampleHash(examples[b]))
		})
		for _, i := range idx[:(len(idx)+4)/5] {
			held[i] = true
		}
	}
	for i, ex := range examples {
		if held[i] {
			heldOut = append(heldOut, ex)
		} else {
			train = append(train, ex)
		}
	}
	return train, heldOut
}
