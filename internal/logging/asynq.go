package logging

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/hibiken/asynq"
)

// AsynqLogger adapts l to asynq.Logger, so that asynq's own messages
// (server start and stop, dequeue errors, requeues) reach the same log as
// ours, tagged component=asynq.
//
// Fatal logs at error level and does not exit: asynq calls it only in
// places where the process may still shut down cleanly, and stopping the
// process is the caller's decision, not a library's.
func AsynqLogger(l *slog.Logger) asynq.Logger {
	return asynqLogger{l: l.With("component", "asynq")}
}

type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) log(level slog.Level, args []any) {
	ctx := context.Background()
	if !a.l.Enabled(ctx, level) {
		return
	}
	a.l.Log(ctx, level, fmt.Sprint(args...))
}

func (a asynqLogger) Debug(args ...any) { a.log(slog.LevelDebug, args) }
func (a asynqLogger) Info(args ...any)  { a.log(slog.LevelInfo, args) }
func (a asynqLogger) Warn(args ...any)  { a.log(slog.LevelWarn, args) }
func (a asynqLogger) Error(args ...any) { a.log(slog.LevelError, args) }

// Fatal logs at error level with fatal=true; it does not call os.Exit.
func (a asynqLogger) Fatal(args ...any) {
	a.l.Log(context.Background(), slog.LevelError, fmt.Sprint(args...), "fatal", true)
}

// AsynqLevel returns the asynq log level matching what l has enabled, so
// asynq does not format messages that l would drop anyway.
func AsynqLevel(l *slog.Logger) asynq.LogLevel {
	ctx := context.Background()
	switch {
	case l.Enabled(ctx, slog.LevelDebug):
		return asynq.DebugLevel
	case l.Enabled(ctx, slog.LevelInfo):
		return asynq.InfoLevel
	case l.Enabled(ctx, slog.LevelWarn):
		return asynq.WarnLevel
	default:
		return asynq.ErrorLevel
	}
}
