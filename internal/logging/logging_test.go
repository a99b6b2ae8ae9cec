package logging

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name      string
		level     string
		format    string
		wantErr   bool
		wantDebug bool
		wantJSON  bool
	}{
		{name: "defaults", wantJSON: true},
		{name: "json debug", level: "debug", format: "json", wantDebug: true, wantJSON: true},
		{name: "text info", level: "INFO", format: "text"},
		{name: "warning alias", level: "warning", format: "json", wantJSON: true},
		{name: "bad level", level: "loud", format: "json", wantErr: true},
		{name: "bad format", level: "info", format: "xml", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l, err := New(&buf, tt.level, tt.format)
			if tt.wantErr {
				if err == nil {
					t.Fatal("want error, got nil")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			l.Debug("debug line", "lead_id", 7)
			l.Error("error line", "lead_id", 7)
			out := buf.String()
			if got := strings.Contains(out, "debug line"); got != tt.wantDebug {
				t.Errorf("debug line logged = %v, want %v; output:\n%s", got, tt.wantDebug, out)
			}
			if !strings.Contains(out, "error line") {
				t.Errorf("error line missing; output:\n%s", out)
			}
			first := strings.SplitN(strings.TrimSpace(out), "\n", 2)[0]
			if got := json.Valid([]byte(first)); got != tt.wantJSON {
				t.Errorf("json output = %v, want %v: %s", got, tt.wantJSON, first)
			}
		})
	}
}

func TestAsynqLogger(t *testing.T) {
	var buf bytes.Buffer
	l, err := New(&buf, "info", "json")
	if err != nil {
		t.Fatal(err)
	}
	var al asynq.Logger = AsynqLogger(l)
	al.Debug("hidden")
	al.Info("Starting processing ", 3)
	al.Warn("warned")
	al.Error("failed")
	al.Fatal("fatal but alive")

	type line struct {
		Level     string `json:"level"`
		Msg       string `json:"msg"`
		Component string `json:"component"`
		Fatal     bool   `json:"fatal"`
	}
	var got []line
	for _, raw := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var ln line
		if err := json.Unmarshal([]byte(raw), &ln); err != nil {
			t.Fatalf("bad json %q: %v", raw, err)
		}
		got = append(got, ln)
	}
	want := []line{
		{Level: "INFO", Msg: "Starting processing 3", Component: "asynq"},
		{Level: "WARN", Msg: "warned", Component: "asynq"},
		{Level: "ERROR", Msg: "failed", Component: "asynq"},
		{Level: "ERROR", Msg: "fatal but alive", Component: "asynq", Fatal: true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestAsynqLevel(t *testing.T) {
	tests := []struct {
		level string
		want  asynq.LogLevel
	}{
		{"debug", asynq.DebugLevel},
		{"info", asynq.InfoLevel},
		{"warn", asynq.WarnLevel},
		{"error", asynq.ErrorLevel},
	}
	for _, tt := range tests {
		l, err := New(&bytes.Buffer{}, tt.level, "text")
		if err != nil {
			t.Fatal(err)
		}
		if got := AsynqLevel(l); got != tt.want {
			t.Errorf("AsynqLevel(%s) = %v, want %v", tt.level, got, tt.want)
		}
	}
}

func ExampleAsynqLogger() {
	l, err := New(os.Stderr, "info", "json")
	if err != nil {
		panic(err)
	}
	srv := asynq.NewServer(asynq.RedisClientOpt{Addr: "127.0.0.1:6379"}, asynq.Config{
		Logger:   AsynqLogger(l),
		LogLevel: AsynqLevel(l),
	})
	_ = srv
}
