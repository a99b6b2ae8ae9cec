package inbox

import (
	"math/rand/v2"
	"time"
)

// backoff yields capped exponential waits with full jitter in the upper
// half: attempt n waits between d/2 and d, where d = min*2^n capped at max.
type backoff struct {
	min, max time.Duration
	n        int
}

func newBackoff(min, max time.Duration) *backoff { return &backoff{min: min, max: max} }

func (b *backoff) next() time.Duration {
	d := b.min
	for i := 0; i < b.n && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	b.n++
	half := d / 2
	return half + rand.N(half+1)
}

func (b *backoff) reset() { b.n = 0 }
