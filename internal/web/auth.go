package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"
)

// User is a person who may log in to the dashboard and the admin pages.
type User struct {
	Username string
	// PasswordHash is a bcrypt hash ("$2a$…", "$2b$…" or "$2y$…"), never a
	// plain password.
	PasswordHash string
}

// Token is a bearer token for the API (and /metrics).
type Token struct {
	// Name identifies the token in logs and in PrincipalFrom; it is not a
	// secret.
	Name string
	// Secret is what clients send as "Authorization: Bearer <Secret>". It
	// is compared in constant time and never logged.
	Secret string
	// Scopes are what the token may do ("read", "leads:write", "write",
	// "admin"); the API checks them per route. None means nothing.
	Scopes []string
}

// Role says what an authenticated caller may do.
type Role int

const (
	// RoleViewer may read the dashboard, the metrics and the admin pages.
	RoleViewer Role = iota + 1
	// RoleAdmin may also change things in the dashboard (retry, delete,
	// pause).
	RoleAdmin
	// RoleAPI is a bearer token: the API and the metrics.
	RoleAPI
)

func (r Role) String() string {
	switch r {
	case RoleViewer:
		return "viewer"
	case RoleAdmin:
		return "admin"
	case RoleAPI:
		return "api"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// Principal is the authenticated caller of a request.
type Principal struct {
	// Name is the user name, or the token's name for RoleAPI.
	Name string
	Role Role
	// Method is how the caller authenticated: "basic", "session" or
	// "bearer".
	Method string
	// Scopes are a token's scopes (RoleAPI only).
	Scopes []string
}

type principalKey struct{}

// PrincipalFrom returns the authenticated caller of the request whose
// context this is. Handlers mounted as Options.API and Options.Pages always
// find one.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

func withPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

const (
	minTokenSecret = 16
	maxUsername    = 128
	// passwordCacheSize bounds the verified-password cache; when it is
	// full of live entries it is emptied, which only costs bcrypt time.
	passwordCacheSize = 1024
)

type account struct {
	name string
	hash []byte
	role Role
}

type apiToken struct {
	name   string
	sum    [sha256.Size]byte
	scopes []string
}

type cachedLogin struct {
	name    string
	expires time.Time
}

// authenticator checks passwords and tokens. Successful bcrypt checks are
// cached for cacheTTL, keyed by an HMAC of user and password under a
// per-process key, because bcrypt costs 50-100 ms and basic auth sends the
// password with every request.
type authenticator struct {
	accounts map[string]*account
	tokens   []apiToken
	// dummyHash is compared against when the user is unknown, so that an
	// unknown user costs as much time as a wrong password.
	dummyHash []byte
	cacheKey  []byte
	cacheTTL  time.Duration
	now       func() time.Time
	// bcryptSlots bounds concurrent bcrypt comparisons, so a flood of bad
	// passwords cannot take every core.
	bcryptSlots chan struct{}

	mu    sync.Mutex
	cache map[[sha256.Size]byte]cachedLogin
}

func newAuthenticator(admins, viewers []User, tokens []Token, cacheTTL time.Duration, now func() time.Time) (*authenticator, error) {
	if len(admins) == 0 {
		return nil, errors.New("web: no admin user configured (web.admin.username and web.admin.password_hash); refusing to start without authentication")
	}
	a := &authenticator{
		accounts:    make(map[string]*account),
		cacheKey:    make([]byte, 32),
		cacheTTL:    cacheTTL,
		now:         now,
		bcryptSlots: make(chan struct{}, max(2, runtime.GOMAXPROCS(0))),
		cache:       make(map[[sha256.Size]byte]cachedLogin),
	}
	rand.Read(a.cacheKey)
	add := func(kind string, i int, u User, role Role) error {
		if err := validUsername(u.Username); err != nil {
			return fmt.Errorf("web: %s user %d: %w", kind, i+1, err)
		}
		if _, dup := a.accounts[u.Username]; dup {
			return fmt.Errorf("web: user %q configured twice", u.Username)
		}
		if u.PasswordHash == "" {
			return fmt.Errorf("web: %s user %q: no password hash configured", kind, u.Username)
		}
		if _, err := bcrypt.Cost([]byte(u.PasswordHash)); err != nil {
			// The hash is not echoed: it may be a plain password put in
			// the wrong key.
			return fmt.Errorf("web: %s user %q: password hash is not a valid bcrypt hash (generate one with htpasswd -nbBC 10 USER PASSWORD or bcrypt.GenerateFromPassword): %w", kind, u.Username, err)
		}
		a.accounts[u.Username] = &account{name: u.Username, hash: []byte(u.PasswordHash), role: role}
		return nil
	}
	for i, u := range admins {
		if err := add("admin", i, u, RoleAdmin); err != nil {
			return nil, err
		}
	}
	for i, u := range viewers {
		if err := add("viewer", i, u, RoleViewer); err != nil {
			return nil, err
		}
	}
	names := make(map[string]bool)
	for i, t := range tokens {
		if t.Name == "" {
			return nil, fmt.Errorf("web: api token %d: name is empty", i+1)
		}
		if names[t.Name] {
			return nil, fmt.Errorf("web: api token %q configured twice", t.Name)
		}
		names[t.Name] = true
		if len(t.Secret) < minTokenSecret {
			return nil, fmt.Errorf("web: api token %q: secret is shorter than %d characters", t.Name, minTokenSecret)
		}
		a.tokens = append(a.tokens, apiToken{name: t.Name, sum: sha256.Sum256([]byte(t.Secret)), scopes: slices.Clone(t.Scopes)})
	}

	cost, _ := bcrypt.Cost([]byte(admins[0].PasswordHash))
	dummy := make([]byte, 16)
	rand.Read(dummy)
	h, err := bcrypt.GenerateFromPassword(dummy, cost)
	if err != nil {
		return nil, fmt.Errorf("web: prepare password check: %w", err)
	}
	a.dummyHash = h
	return a, nil
}

func validUsername(name string) error {
	switch {
	case name == "":
		return errors.New("username is empty")
	case len(name) > maxUsername:
		return fmt.Errorf("username is longer than %d bytes", maxUsername)
	case strings.Contains(name, ":"):
		// Basic auth cannot carry a colon in the user name.
		return fmt.Errorf("username %q contains a colon", name)
	case strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Errorf("username %q contains control characters", name)
	}
	return nil
}

// password checks a user name and password, from the cache when this pair
// was verified within cacheTTL.
func (a *authenticator) password(ctx context.Context, user, pass string) (Principal, bool) {
	key := a.cacheKeyFor(user, pass)
	now := a.now()
	a.mu.Lock()
	c, hit := a.cache[key]
	a.mu.Unlock()
	if hit && c.name == user && now.Before(c.expires) {
		if acct := a.accounts[user]; acct != nil {
			return Principal{Name: acct.name, Role: acct.role}, true
		}
	}

	select {
	case a.bcryptSlots <- struct{}{}:
	case <-ctx.Done():
		return Principal{}, false
	}
	acct := a.accounts[user]
	hash := a.dummyHash
	if acct != nil {
		hash = acct.hash
	}
	err := bcrypt.CompareHashAndPassword(hash, []byte(pass))
	<-a.bcryptSlots
	if acct == nil || err != nil {
		return Principal{}, false
	}

	a.mu.Lock()
	if len(a.cache) >= passwordCacheSize {
		for k, v := range a.cache {
			if !now.Before(v.expires) {
				delete(a.cache, k)
			}
		}
		if len(a.cache) >= passwordCacheSize {
			clear(a.cache)
		}
	}
	a.cache[key] = cachedLogin{name: user, expires: now.Add(a.cacheTTL)}
	a.mu.Unlock()
	return Principal{Name: acct.name, Role: acct.role}, true
}

func (a *authenticator) cacheKeyFor(user, pass string) [sha256.Size]byte {
	m := hmac.New(sha256.New, a.cacheKey)
	m.Write([]byte(user))
	m.Write([]byte{0})
	m.Write([]byte(pass))
	var k [sha256.Size]byte
	m.Sum(k[:0])
	return k
}

// token checks a bearer secret against every configured token in constant
// time.
func (a *authenticator) token(secret string) (Principal, bool) {
	sum := sha256.Sum256([]byte(secret))
	found := -1
	for i := range a.tokens {
		if subtle.ConstantTimeCompare(sum[:], a.tokens[i].sum[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return Principal{}, false
	}
	return Principal{Name: a.tokens[found].name, Role: RoleAPI, Scopes: slices.Clone(a.tokens[found].scopes)}, true
}
