package intake

import (
	"context"
	"errors"

	"salesdesk/internal/store"
)

// linkCustomer finds the account a sender belongs to: the account of the
// contact with that address, else the one account whose domain is the
// sender's, unless that is a free-mail domain. 0 means none.
func (p *Processor) linkCustomer(ctx context.Context, sender string) (int64, error) {
	if sender == "" {
		return 0, nil
	}
	c, err := p.st.ContactByEmail(ctx, sender)
	switch {
	case err == nil:
		return c.CustomerID, nil
	case !errors.Is(err, store.ErrNotFound):
		return 0, err
	}
	dom := domainOf(sender)
	if dom == "" || p.freeDom[dom] {
		return 0, nil
	}
	accounts, err := p.st.ListCustomers(ctx, store.CustomerFilter{Domain: dom, Limit: 2})
	if err != nil {
		return 0, err
	}
	if len(accounts) != 1 {
		// None, or ambiguous: better no link than the wrong account.
		return 0, nil
	}
	return accounts[0].ID, nil
}

// DefaultFreeMailDomains returns the free-mail and consumer ISP domains
// that never identify a customer's company.
func DefaultFreeMailDomains() []string {
	return []string{
		"gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.de", "yahoo.fr", "ymail.com",
		"hotmail.com", "hotmail.co.uk", "hotmail.de", "hotmail.fr", "outlook.com", "outlook.de", "live.com",
		"live.co.uk", "msn.com", "aol.com", "icloud.com", "me.com", "mac.com", "gmx.com", "gmx.de", "gmx.net",
		"gmx.at", "gmx.ch", "web.de", "mail.com", "protonmail.com", "proton.me", "pm.me", "yandex.com",
		"yandex.ru", "mail.ru", "zoho.com", "t-online.de", "freenet.de", "orange.fr", "free.fr", "laposte.net",
		"wanadoo.fr", "libero.it", "virgilio.it", "qq.com", "163.com", "126.com", "comcast.net", "att.net",
		"verizon.net", "btinternet.com", "sky.com", "fastmail.com", "hey.com", "tutanota.com", "seznam.cz",
		"wp.pl", "o2.pl", "interia.pl", "naver.com", "rediffmail.com",
	}
}
