package tasks

import (
	"errors"
	"testing"

	"github.com/hibiken/asynq"
)

// FuzzParse feeds arbitrary bytes to every payload parser: none may panic,
// and every rejection must be permanent (SkipRetry), never a retry loop.
func FuzzParse(f *testing.F) {
	cases := contract()
	for _, tc := range cases {
		task, err := tc.build()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(task.Payload())
	}
	f.Add([]byte(`{"lead_id":-1,"attempt":1e99}`))
	f.Add([]byte(`{"scheduled_at":"not a time"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, tc := range cases {
			if _, err := tc.parse(b); err != nil && !errors.Is(err, asynq.SkipRetry) {
				t.Fatalf("%s: error %v is not SkipRetry", tc.typ, err)
			}
		}
	})
}
