package main

import (
	_ "github.com/alicebob/miniredis/v2"
	_ "github.com/emersion/go-imap/v2/imapclient"
	_ "github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	_ "github.com/emersion/go-message/charset"
	_ "github.com/emersion/go-message/mail"
	_ "github.com/emersion/go-smtp"
	_ "github.com/hibiken/asynq"
	_ "github.com/hibiken/asynqmon"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/wneessen/go-mail"
	_ "go.uber.org/goleak"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/crypto/bcrypt"
	_ "golang.org/x/net/html"
	_ "golang.org/x/text/encoding/htmlindex"
	_ "modernc.org/sqlite"
)

func main() {}
