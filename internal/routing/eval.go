package routing

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"salesdesk/internal/lang"
)

// Predictor is anything that classifies a mail: a [Model] or a
// [Classifier]. newText is what the customer wrote this time, as mailparse
// splits it.
type Predictor interface {
	Classify(subject, newText string) Prediction
}

// Evaluation counts a predictor's answers against known labels.
type Evaluation struct {
	// Labels are the true labels seen, the known categories first; an
	// unknown label in the input gets a row of its own (it can never be
	// predicted, so it counts against accuracy, as it should).
	Labels []Category
	// Confusion[i][j] counts mails labelled Labels[i] predicted as
	// Categories()[j].
	Confusion [][numCategories]int
	// N is the number of mails evaluated; Skipped the lines that were not
	// text<TAB>label.
	N, Skipped int
	// Points are the confidence and correctness of every prediction added
	// with [Evaluation.AddPrediction], for the coverage/accuracy curve.
	Points []CurvePoint
	// Threshold is marked in the curve (the router's).
	Threshold float64
	// Languages counts mails and right answers per language.
	Languages map[string]*LanguageCount
}

// LanguageCount is the evaluation of the mails in one language.
type LanguageCount struct {
	N, Right int
}

// AddPrediction counts one prediction with its confidence and, when not
// empty, the mail's language.
func (e *Evaluation) AddPrediction(truth Category, p Prediction, language string) {
	e.Add(truth, p.Category)
	e.Points = append(e.Points, CurvePoint{Confidence: p.Confidence, Right: p.Category == truth})
	if language == "" {
		return
	}
	if e.Languages == nil {
		e.Languages = map[string]*LanguageCount{}
	}
	lc := e.Languages[language]
	if lc == nil {
		lc = &LanguageCount{}
		e.Languages[language] = lc
	}
	lc.N++
	if p.Category == truth {
		lc.Right++
	}
}

// NewEvaluation returns an empty evaluation over the known categories.
func NewEvaluation() *Evaluation {
	return &Evaluation{
		Labels:    Categories(),
		Confusion: make([][numCategories]int, numCategories),
	}
}

// Add counts one prediction.
func (e *Evaluation) Add(truth, predicted Category) {
	row := -1
	for i, l := range e.Labels {
		if l == truth {
			row = i
			break
		}
	}
	if row < 0 {
		e.Labels = append(e.Labels, truth)
		e.Confusion = append(e.Confusion, [numCategories]int{})
		row = len(e.Labels) - 1
	}
	if col := predicted.index(); col >= 0 {
		e.Confusion[row][col]++
	}
	e.N++
}

// Accuracy is the share of mails predicted as labelled.
func (e *Evaluation) Accuracy() float64 {
	if e.N == 0 {
		return 0
	}
	right := 0
	for c := range numCategories {
		right += e.Confusion[c][c]
	}
	return float64(right) / float64(e.N)
}

// Precision is the share of mails predicted as c that are labelled c; 0
// when nothing was predicted as c.
func (e *Evaluation) Precision(c Category) float64 {
	j := c.index()
	if j < 0 {
		return 0
	}
	total := 0
	for i := range e.Confusion {
		total += e.Confusion[i][j]
	}
	if total == 0 {
		return 0
	}
	return float64(e.Confusion[j][j]) / float64(total)
}

// Recall is the share of mails labelled c that are predicted as c.
func (e *Evaluation) Recall(c Category) float64 {
	n := e.Support(c)
	if n == 0 {
		return 0
	}
	j := c.index()
	if j < 0 {
		return 0
	}
	return float64(e.Confusion[j][j]) / float64(n)
}

// Support is the number of mails labelled c.
func (e *Evaluation) Support(c Category) int {
	for i, l := range e.Labels {
		if l == c {
			n := 0
			for _, v := range e.Confusion[i] {
				n += v
			}
			return n
		}
	}
	return 0
}

// short names keep the confusion matrix narrow.
var shortName = [numCategories]string{"ostat", "ochg", "quote", "meet", "supp", "bill", "acct", "compl", "unsub", "other"}

// WriteReport writes the confusion matrix, per-category precision, recall
// and support, and as the last line "accuracy=0.NNN n=N".
func (e *Evaluation) WriteReport(w io.Writer) error {
	fmt.Fprintln(w, "confusion matrix (rows: label, columns: predicted)")
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "label\t")
	for _, s := range shortName {
		fmt.Fprint(tw, s, "\t")
	}
	fmt.Fprintln(tw)
	for i, l := range e.Labels {
		fmt.Fprint(tw, l, "\t")
		for _, v := range e.Confusion[i] {
			fmt.Fprint(tw, v, "\t")
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "category\tprecision\trecall\tsupport\t")
	for _, l := range e.Labels {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%d\t\n", l, e.Precision(l), e.Recall(l), e.Support(l))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if len(e.Points) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "coverage/accuracy curve (routed automatically: confidence >= threshold)")
		if err := WriteCurve(w, e.Points, e.Threshold); err != nil {
			return err
		}
	}
	if len(e.Languages) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "language\taccuracy\tn\t")
		names := make([]string, 0, len(e.Languages))
		for l := range e.Languages {
			names = append(names, l)
		}
		slices.Sort(names)
		for _, l := range names {
			lc := e.Languages[l]
			fmt.Fprintf(tw, "%s\t%.3f\t%d\t\n", l, float64(lc.Right)/float64(lc.N), lc.N)
		}
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	if e.Skipped > 0 {
		fmt.Fprintf(w, "skipped %d lines that are not text<TAB>category\n", e.Skipped)
	}
	_, err := fmt.Fprintf(w, "accuracy=%.3f n=%d\n", e.Accuracy(), e.N)
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// Eval classifies every line of a TSV (text, tab, category; further
// columns ignored; \n, \t and \\ escapes in the text understood) with p and
// writes the report of [Evaluation.WriteReport] to w. A header line
// ("text<TAB>category"), blank lines and lines without a tab are skipped
// and counted.
func Eval(w io.Writer, r io.Reader, p Predictor) (*Evaluation, error) {
	return EvalWith(w, r, EvalOptions{Predictor: p})
}

// EvalOptions configure [EvalWith].
type EvalOptions struct {
	Predictor Predictor
	// Threshold is the router's, marked in the coverage/accuracy curve.
	Threshold float64
	// Languages, when set, detects the language of mails whose line has
	// no language column.
	Languages *lang.Detector
}

// EvalWith is [Eval] with the coverage/accuracy curve and a report per
// language. A third column that is a language code ("de", "pt-BR") is the
// mail's language; without one the language is detected when
// o.Languages is set.
func EvalWith(w io.Writer, r io.Reader, o EvalOptions) (*Evaluation, error) {
	p := o.Predictor
	e := NewEvaluation()
	e.Threshold = o.Threshold
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	first := true
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		isFirst := first
		first = false
		if strings.TrimSpace(line) == "" {
			continue
		}
		text, rest, ok := strings.Cut(line, "\t")
		if !ok {
			if !strings.HasPrefix(line, "#") {
				e.Skipped++
			}
			continue
		}
		label, rest, _ := strings.Cut(rest, "\t")
		language, _, _ := strings.Cut(rest, "\t")
		if language = lang.Normalize(language); !slices.Contains(lang.Supported, language) {
			language = ""
		}
		c, known := ParseCategory(label)
		if !known {
			if isFirst {
				continue // a header line
			}
			c = Category(strings.ToLower(strings.TrimSpace(label)))
			if c == "" {
				e.Skipped++
				continue
			}
		}
		words := TextInput("", Unescape(text)).words()
		if language == "" && o.Languages != nil {
			language = o.Languages.Detect(words)
		}
		e.AddPrediction(c, p.Classify("", words), language)
	}
	if err := sc.Err(); err != nil {
		return e, fmt.Errorf("read eval file: %w", err)
	}
	return e, e.WriteReport(w)
}
