package mailparse

import "testing"

// BenchmarkParseCorpus parses the whole shared corpus per iteration and
// reports messages per second.
func BenchmarkParseCorpus(b *testing.B) {
	msgs := loadCorpus(b)
	var bytes int64
	for _, m := range msgs {
		bytes += int64(len(m.raw))
	}
	b.SetBytes(bytes)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, m := range msgs {
			_, _ = Parse(m.raw, Options{})
		}
	}
	b.ReportMetric(float64(b.N*len(msgs))/b.Elapsed().Seconds(), "msgs/s")
}
