package mailer

import (
	"fmt"
	"strings"
)

// RenderIn renders template name in language (an ISO 639-1 code): with
// the words of lang/LANG.yaml when the template speaks through the phrase
// catalog and the language has one, else in English. It reports the
// language the mail was rendered in.
func (r *Renderer) RenderIn(name, language string, data any) (Rendered, string, error) {
	language = strings.ToLower(strings.TrimSpace(language))
	if r.HasLanguage(name, language) && language != fallbackLanguage {
		out, err := r.Render(name+"."+language, data)
		return out, language, err
	}
	out, err := r.Render(name, data)
	return out, fallbackLanguage, err
}

// HasLanguage reports whether template name can be rendered in language.
func (r *Renderer) HasLanguage(name, language string) bool {
	language = strings.ToLower(strings.TrimSpace(language))
	if language == fallbackLanguage {
		_, ok := r.text[name]
		return ok
	}
	_, ok := r.text[name+"."+language]
	return ok
}

// Languages lists the languages customer mails can be written in: those
// with a phrase catalog, English first.
func (r *Renderer) Languages() []string { return r.phrases.languages() }

// Say is the catalog's phrase key in language (English when the language
// or the phrase is missing), its placeholders filled from args (name,
// value, ...): for words a mail carries outside its template, such as the
// summary of a calendar invitation.
func (r *Renderer) Say(language, key string, args ...any) (string, error) {
	language = strings.ToLower(strings.TrimSpace(language))
	p, err := r.phrases.phrase(language, key)
	if err != nil {
		return "", err
	}
	return fill(key, p, args, func(v any) string { return fmt.Sprint(v) })
}
