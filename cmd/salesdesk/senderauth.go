package main

import (
	"net"

	"salesdesk/config"
	"salesdesk/internal/intake"
	"salesdesk/internal/senderauth"
)

// senderChecker builds intake's sender check from config; nil when
// sender_auth.enforce is off.
func senderChecker(c config.SenderAuthConfig) intake.SenderChecker {
	if !c.Enforce {
		return nil
	}
	o := senderauth.Options{TrustedAuthServIDs: c.TrustedAuthServIDs}
	if c.VerifyDKIM {
		o.Resolver = net.DefaultResolver
	}
	return senderauth.New(o)
}
