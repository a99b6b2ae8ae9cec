// Package admin serves salesdesk's server-rendered admin pages: the home
// page with today's live counts and, in the demo, the sent-mail page of every
// captured mail. Pages are html/template with a little inline CSS and no
// JavaScript; internal/web mounts them behind its authentication as
// web.Options.Pages.
package admin
