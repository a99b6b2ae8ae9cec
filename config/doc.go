// Package config is salesdesk's typed configuration: defaults, one YAML
// file, SALESDESK_* environment overrides and secrets read from *_file
// paths, then validation that names the exact bad key
// ("smtp.addr: required").
//
// Precedence, lowest first: Default, the YAML file, the environment, then
// each secret's <key>_file. The environment name of a key is its YAML path
// in upper case joined by underscores, with list elements by index:
//
//	redis.addr               SALESDESK_REDIS_ADDR
//	web.admin.password_hash  SALESDESK_WEB_ADMIN_PASSWORD_HASH
//	mailboxes[0].password    SALESDESK_MAILBOXES_0_PASSWORD
//	redis.addrs              SALESDESK_REDIS_ADDRS="10.0.0.1:26379,10.0.0.2:26379"
//
// A list may also be given whole as a YAML flow sequence ("[a, b]"), and a
// section or list of sections as YAML ("{username: admin}"). SALESDESK_TEST_*
// belongs to the test suite and SALESDESK_CONFIG to the command line; any
// other SALESDESK_* variable that names no key is a problem, so a typo never
// goes unnoticed.
//
// Secret values (passwords, tokens, hashes, the database DSN) have type
// Secret, which prints, logs and marshals as "[redacted]".
package config
