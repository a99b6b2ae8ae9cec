package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"salesdesk/internal/testenv"
)

// newBrowser starts a headless Chromium with a profile of its own (one
// person of a test) and returns its tab; it ends with the test.
func newBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(chromium), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()))
	t.Cleanup(cancelAlloc)
	bctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	bctx, cancelT := context.WithTimeout(bctx, testenv.Patience(t))
	t.Cleanup(cancelT)
	return bctx
}

// browserDo runs steps in a browser tab; a failed step ends the test.
func browserDo(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// browserText is the visible text of the first element matching sel.
func browserText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(v)
}

// lastLink is the last link in a mail text that contains part, "" when
// there is none.
func lastLink(text, part string) string {
	link := ""
	for _, u := range mailURL.FindAllString(text, -1) {
		if strings.Contains(u, part) {
			link = u
		}
	}
	return link
}
