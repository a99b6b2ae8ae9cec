package workers

import (
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/link"
	"salesdesk/internal/mailer"
	"salesdesk/internal/routing"
	"salesdesk/internal/smtptest"
	"salesdesk/internal/store"
	"salesdesk/internal/storetest"
	"salesdesk/internal/testenv"
)

// queueRig is what a test that runs handlers on a real queue needs: the
// package's Redis DB (flushed), a client and an inspector on it, an SMTP
// server that captures mail and a fresh SQLite store.
type queueRig struct {
	redisOpt  asynq.RedisClientOpt
	client    *asynq.Client
	inspector *asynq.Inspector
	smtp      *smtptest.Server
	st        *store.Store
}

// newQueueRig starts a queueRig; dbName names the store's file.
func newQueueRig(t *testing.T, dbName string) *queueRig {
	t.Helper()
	testenv.Redis(t, testenv.RedisDBWorkers)
	r := &queueRig{redisOpt: asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBWorkers}, smtp: smtptest.New(t)}
	st, err := store.Open(t.Context(), storetest.SQLiteDSN(t, dbName+".db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r.st = st
	r.client = asynq.NewClient(r.redisOpt)
	t.Cleanup(func() { r.client.Close() })
	r.inspector = asynq.NewInspector(r.redisOpt)
	t.Cleanup(func() { r.inspector.Close() })
	return r
}

// mailKit is what the mail-writing handlers of a test share: the router
// intake classifies with (testClassifier), the renderer and the link
// signer.
type mailKit struct {
	router   *routing.Router
	renderer *mailer.Renderer
	signer   *link.Signer
}

// newMailKit builds a mailKit whose router sends predictions below
// minConfidence to triage.
func newMailKit(t *testing.T, minConfidence float64) mailKit {
	t.Helper()
	router, err := routing.NewRouter(routing.RouterOptions{Classifier: testClassifier(), MinConfidence: minConfidence})
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := mailer.NewRenderer(mailer.RenderOptions{Team: "Ourco Sales"})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := link.New([]byte("e2e-secret-of-sufficient-length"))
	if err != nil {
		t.Fatal(err)
	}
	return mailKit{router: router, renderer: renderer, signer: signer}
}

// fastPolling makes a test's asynq server look for new tasks, and move due
// retries and scheduled tasks to their queue, every 50 ms instead of
// asynq's 1 s and 5 s: otherwise every hop of a chain of tasks (mail in ->
// inquiry -> lead -> mail out) waits up to a second when the workers were
// idle, and every retry up to five seconds whatever its RetryDelayFunc.
func fastPolling(c asynq.Config) asynq.Config {
	c.TaskCheckInterval = 50 * time.Millisecond
	c.DelayedTaskCheckInterval = 50 * time.Millisecond
	return c
}

// ritaAndAcme stores the rep Rita and her account Acme (acme.com), the
// desk most end-to-end tests start from.
func ritaAndAcme(t *testing.T, st *store.Store) (*store.Rep, *store.Customer) {
	t.Helper()
	rep := &store.Rep{Email: "rita@ourco.example", Name: "Rita Rep", Active: true}
	if _, err := st.CreateRep(t.Context(), rep); err != nil {
		t.Fatal(err)
	}
	acme := &store.Customer{Name: "Acme GmbH", Domain: "acme.com", OwnerRepID: rep.ID}
	if _, err := st.CreateCustomer(t.Context(), acme); err != nil {
		t.Fatal(err)
	}
	return rep, acme
}

// sqlCost runs fn and returns what it cost SQLite: statements run and
// commits (transactions begun plus writes outside one).
func sqlCost(t *testing.T, st *store.Store, fn func() error) (statements, commits int64) {
	t.Helper()
	before := st.SQLiteCounts()
	if err := fn(); err != nil {
		t.Fatal(err)
	}
	after := st.SQLiteCounts()
	return after.Statements - before.Statements,
		after.Transactions - before.Transactions + after.Autocommits - before.Autocommits
}

// checkCostsLess checks the cost of a mail whose follow-on task intake
// now does itself against the bounds (today's counts, in
// docs/performance.md) and against the cost by task.
func checkCostsLess(t *testing.T, what string, byTask, inIntake, bound [2]int64) {
	t.Helper()
	t.Logf("%s: %d statements, %d commits by task; %d statements, %d commits in intake", what, byTask[0], byTask[1],
		inIntake[0], inIntake[1])
	if inIntake[0] > bound[0] || inIntake[1] > bound[1] {
		t.Errorf("%s in intake: %d statements, %d commits, want at most %d, %d", what, inIntake[0], inIntake[1], bound[0], bound[1])
	}
	if inIntake[0] >= byTask[0] || inIntake[1] >= byTask[1] {
		t.Errorf("%s in intake costs %d statements, %d commits, by task %d, %d: want fewer", what, inIntake[0], inIntake[1],
			byTask[0], byTask[1])
	}
}
