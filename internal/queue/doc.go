// Package queue is salesdesk's thin layer over asynq: a worker server with
// our defaults (queue weights, logging, capped retry backoff, graceful
// shutdown), the pair of such servers a worker process runs (Worker: one
// for the default queue, one for critical and low), an idempotent Enqueue
// that treats a TaskID conflict as "already done", and the one helper that
// decides whether a handler error is worth retrying.
package queue
