package mailer

import (
	"fmt"
	htemplate "html/template"
	"regexp"
	"strings"
	"testing"
)

// The renderer's helpers as they were before the session 10 speed work,
// kept to show that the faster ones give the same bytes (flatten's old
// self is flattenRunes, which its fast path skips).

// placeholder finds a phrase's placeholders: {name}.
var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

func referenceFill(key, phrase string, args []any, show func(any) string) (string, error) {
	if len(args)%2 != 0 {
		return "", fmt.Errorf("mailer: phrase %q: odd number of arguments", key)
	}
	values := map[string]any{}
	for i := 0; i < len(args); i += 2 {
		name, ok := args[i].(string)
		if !ok {
			return "", fmt.Errorf("mailer: phrase %q: argument name %v is not a string", key, args[i])
		}
		values[name] = args[i+1]
	}
	used := map[string]bool{}
	var missing string
	out := placeholder.ReplaceAllStringFunc(phrase, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := values[name]
		if !ok {
			missing = name
			return m
		}
		used[name] = true
		return show(v)
	})
	if missing != "" {
		return "", fmt.Errorf("mailer: phrase %q: no value for {%s}", key, missing)
	}
	for name := range values {
		if !used[name] && name != countArg {
			return "", fmt.Errorf("mailer: phrase %q: value %q has no placeholder", key, name)
		}
	}
	return out, nil
}

func referenceEscapeText(v any) string {
	var b strings.Builder
	if err := htmlText.Execute(&b, v); err != nil {
		return htemplate.HTMLEscapeString(fmt.Sprint(v))
	}
	return b.String()
}

var referenceBlankRuns = regexp.MustCompile(`\n{3,}`)

func referenceTidyBody(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if isControl(r) {
			return -1
		}
		return r
	}, s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = referenceBlankRuns.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.Trim(s, "\n") + "\n"
}

// helperInputs are texts with what the helpers treat specially: blank
// runs, trailing blanks, controls, CRLF, invalid UTF-8, markup, NUL,
// braces and placeholders.
var helperInputs = []string{
	"", " ", "\n", "\n\n\n", "a", " a", "a ", "a  b", "a\tb", "a\r\nb", "a\rb", "\r\n\r\n\r\nx\r\n\r\n",
	"  lead\n\n\n\ntrail  \t\n \n\t\nend\t \n\n", "x \x01 \ny", "a\x00b", "\xff\xfe ok \xc3", "é ü 中文 \u2028 \u0085 \u202e",
	`<b>"Bob" & 'Al' + co</b>`, "{name} {x}{{y}} {na me} {Name} {", "{count} of {name}", bodyText, hostile, crlfSubj,
	strings.Repeat("word ", 120), strings.Repeat("x", 501), strings.Repeat("x", 500),
}

func TestHelpersMatchReference(t *testing.T) {
	for _, s := range helperInputs {
		checkHelpers(t, s)
	}
	for _, v := range []any{"a<b", htemplate.HTML("<b>x</b>"), 42, 0.5, nil, []string{"a", "<b>"}, htemplate.URL("x&y"), t0} {
		if got, want := escapeText(v), referenceEscapeText(v); got != want {
			t.Errorf("escapeText(%#v) = %q, want %q", v, got, want)
		}
	}
	phrases := []string{"Hello {name}.", "{name}{name} {count}", "no placeholders", "{missing} and {name}", "{a}{b}{", "{{name}}"}
	argSets := [][]any{nil, {"name", "Bob"}, {"name", "<Bob>", "count", 3}, {"name", "x", "other", "y"},
		{"name", "first", "name", "last"}, {"a", 1, "b", "&"}, {"name"}, {1, "x"}}
	for _, p := range phrases {
		for _, args := range argSets {
			for _, show := range []func(any) string{func(v any) string { return fmt.Sprint(v) }, escapeText} {
				got, gotErr := fill("k", p, args, show)
				want, wantErr := referenceFill("k", p, args, show)
				if got != want || (gotErr == nil) != (wantErr == nil) {
					t.Errorf("fill(%q, %v) = %q, %v; want %q, %v", p, args, got, gotErr, want, wantErr)
				}
			}
		}
	}
}

func checkHelpers(t *testing.T, s string) {
	t.Helper()
	if got, want := tidyBody(s), referenceTidyBody(s); got != want {
		t.Errorf("tidyBody(%q) = %q, want %q", s, got, want)
	}
	if got, want := flatten(s), flattenRunes(s); got != want {
		t.Errorf("flatten(%q) = %q, want %q", s, got, want)
	}
	if got, want := escapeText(s), referenceEscapeText(s); got != want {
		t.Errorf("escapeText(%q) = %q, want %q", s, got, want)
	}
	args := []any{"name", s, "count", 2}
	got, gotErr := fill("k", s, args, escapeText)
	want, wantErr := referenceFill("k", s, args, escapeText)
	if got != want || (gotErr == nil) != (wantErr == nil) {
		t.Errorf("fill(%q) = %q, %v; want %q, %v", s, got, gotErr, want, wantErr)
	}
}

func FuzzHelpersMatchReference(f *testing.F) {
	for _, s := range helperInputs {
		f.Add(s)
	}
	f.Fuzz(checkHelpers)
}
