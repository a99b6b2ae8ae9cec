package mailer

import "strings"

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
