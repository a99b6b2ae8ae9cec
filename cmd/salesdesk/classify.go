package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	goio "io"
	"os"
	"strconv"
	"strings"

	"salesdesk/internal/lang"
	"salesdesk/internal/mailparse"
	"salesdesk/internal/routing"
)

// runClassify classifies mail with the routing model:
//
//	salesdesk classify [FILE...]          raw mails (stdin when no file), one JSON object each
//	salesdesk classify --text [FILE...]   one plain-text message per line (\n escapes allowed)
//	salesdesk classify --eval FILE.tsv    TSV text<TAB>category[<TAB>language]: confusion matrix,
//	                                      precision, recall, the coverage/accuracy curve, accuracy
//	                                      per language (the column, or detected), and last
//	                                      "accuracy=0.NNN n=N"
//
// The model is the default one trained from the embedded examples unless
// --model names a file written by --save-model. The router is the one the
// service builds from the same configuration (-c): its routing rules,
// order-number patterns and routing.min_confidence, which --min-confidence
// overrides. A raw mail is read as the service reads it
// (routing.MessageInput), so both classify it alike.
func runClassify(ctx context.Context, args []string, io stdio) int {
	fs := newFlagSet("classify", "usage: salesdesk classify [-c FILE] [--text] [--model FILE] [--min-confidence N] [FILE...]\n       salesdesk classify --eval FILE.tsv\n       salesdesk classify --save-model FILE\n\nPrints category, confidence, language, secondary requests and entities as JSON, one object per message.", io)
	cfgPath := configFlag(fs)
	text := fs.Bool("text", false, "read one plain-text message per line instead of raw mails")
	eval := fs.String("eval", "", "evaluate on a TSV file (text<TAB>category; - for stdin) and print the report")
	modelPath := fs.String("model", "", "use a model saved with --save-model instead of training the default")
	savePath := fs.String("save-model", "", "write the model to this file and exit")
	var minConf confidenceFlag
	fs.Var(&minConf, "min-confidence", "confidence `N` (0-1) below which a mail is marked for triage (default: routing.min_confidence of the config, or the model's calibrated threshold)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	cfg, ok := loadConfig(cfgPath(), false, io.err)
	if !ok {
		return 1
	}
	if minConf.set {
		cfg.Routing.MinConfidence = minConf.value
	}

	clf, err := loadClassifier(*modelPath)
	if err != nil {
		fmt.Fprintf(io.err, "salesdesk classify: %v\n", err)
		return 1
	}
	if *savePath != "" {
		if err := saveModel(clf.Model(), *savePath); err != nil {
			fmt.Fprintf(io.err, "salesdesk classify: %v\n", err)
			return 1
		}
		return 0
	}
	router, err := newRouter(cfg.Routing, clf)
	if err != nil {
		fmt.Fprintf(io.err, "salesdesk classify: %v\n", err)
		return 1
	}
	if *eval != "" {
		langs, err := lang.NewDetector(cfg.Routing.Languages)
		if err == nil {
			err = evalFile(io, *eval, routing.EvalOptions{Predictor: clf, Threshold: router.Threshold(), Languages: langs})
		}
		if err != nil {
			fmt.Fprintf(io.err, "salesdesk classify: %v\n", err)
			return 1
		}
		return 0
	}

	enc := json.NewEncoder(io.out)
	enc.SetEscapeHTML(false)
	run := classifyRaw
	if *text {
		run = classifyLines
	}
	if fs.NArg() == 0 {
		if err := run(ctx, enc, router, "", io.in); err != nil {
			fmt.Fprintf(io.err, "salesdesk classify: %v\n", err)
			return 1
		}
		return 0
	}
	code := 0
	for _, name := range fs.Args() {
		if ctx.Err() != nil {
			return 1
		}
		if err := classifyFile(ctx, enc, router, name, run); err != nil {
			fmt.Fprintf(io.err, "salesdesk classify: %v\n", err)
			code = 1
		}
	}
	return code
}

// classifyResult is one line of output.
type classifyResult struct {
	File  string `json:"file,omitempty"`
	Line  int    `json:"line,omitempty"`
	Error string `json:"error,omitempty"`
	*routing.Decision
}

type classifyFunc func(ctx context.Context, enc *json.Encoder, r *routing.Router, name string, in goio.Reader) error

func loadClassifier(path string) (*routing.Classifier, error) {
	if path == "" {
		return defaultClassifier(nil), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open model: %w", err)
	}
	defer f.Close()
	m, err := routing.Load(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return routing.NewClassifier(m, routing.DefaultTrainingExamples(), routing.DefaultTrainOptions()), nil
}

func saveModel(m *routing.Model, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	w := bufio.NewWriter(f)
	if err := m.Save(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("save model: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	return nil
}

func evalFile(io stdio, path string, o routing.EvalOptions) error {
	in := io.in
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("open eval file: %w", err)
		}
		defer f.Close()
		in = f
	}
	_, err := routing.EvalWith(io.out, in, o)
	return err
}

func classifyFile(ctx context.Context, enc *json.Encoder, r *routing.Router, name string, run classifyFunc) error {
	f, err := os.Open(name)
	if err != nil {
		if werr := enc.Encode(classifyResult{File: name, Error: err.Error()}); werr != nil {
			return werr
		}
		return err
	}
	defer f.Close()
	return run(ctx, enc, r, name, f)
}

// maxRawMail bounds what is read of one raw mail.
const maxRawMail = 32 << 20

// classifyRaw classifies one raw RFC 5322 mail.
func classifyRaw(_ context.Context, enc *json.Encoder, r *routing.Router, name string, in goio.Reader) error {
	raw, err := goio.ReadAll(goio.LimitReader(in, maxRawMail))
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	m, err := mailparse.Parse(raw, mailparse.Options{})
	if err != nil {
		// A mail we cannot parse is reported, not fatal.
		return enc.Encode(classifyResult{File: name, Error: err.Error()})
	}
	d := r.Route(routing.MessageInput(m))
	return enc.Encode(classifyResult{File: name, Decision: &d})
}

// classifyLines classifies each non-empty line as a plain-text message.
func classifyLines(ctx context.Context, enc *json.Encoder, r *routing.Router, name string, in goio.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		if ctx.Err() != nil {
			return ctx.Err()
		}
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		d := r.Route(routing.TextInput("", routing.Unescape(line)))
		if err := enc.Encode(classifyResult{File: name, Line: n, Decision: &d}); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

// confidenceFlag is --min-confidence: unset, the router keeps the
// config's routing.min_confidence, as the service does.
type confidenceFlag struct {
	value float64
	set   bool
}

func (f *confidenceFlag) String() string {
	if f == nil || !f.set {
		return "routing.min_confidence"
	}
	return strconv.FormatFloat(f.value, 'g', -1, 64)
}

func (f *confidenceFlag) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v > 1 {
		return fmt.Errorf("must be a number between 0 and 1")
	}
	f.value, f.set = v, true
	return nil
}
