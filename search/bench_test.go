package search

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ioemail/ioemail/email"
)

func BenchmarkParse(b *testing.B) {
	const q = `from alice and (subject "quarterly report" or body invoice) not flag seen after 2026-01-01 order by date desc`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(q); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEnvelopes(n int) []email.Envelope {
	envs := make([]email.Envelope, n)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range envs {
		envs[i] = email.Envelope{
			ID: fmt.Sprint(i), Subject: fmt.Sprintf("Re: [team] Quarterly report number %d", i%97),
			From:  []email.Address{{Name: fmt.Sprintf("Sender %d", i%13), Email: fmt.Sprintf("s%d@example.org", i%13)}},
			To:    []email.Address{{Email: "team@example.org"}},
			Date:  base.Add(time.Duration(i*7919) * time.Second),
			Flags: email.ParseFlags(`\Seen`),
		}
	}
	return envs
}

// BenchmarkMatchEnvelope measures a header-only query per envelope.
func BenchmarkMatchEnvelope(b *testing.B) {
	envs := benchEnvelopes(1000)
	q := MustParse(`(from "sender 3" or subject "number 42") and not flag flagged after 2026-01-15`)
	b.ReportAllocs()
	for b.Loop() {
		for _, e := range envs {
			q.MatchEnvelope(e)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(envs)), "ns/envelope")
}

// BenchmarkBodyContains measures decoding and searching whole messages.
func BenchmarkBodyContains(b *testing.B) {
	for _, name := range []string{"qp-latin1", "b64-koi8r", "alternative", "mixed-attachment"} {
		raw, err := os.ReadFile("../testdata/search/" + name + ".eml")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				BodyContains(raw, "absent word")
			}
		})
	}
}

// BenchmarkSort sorts 10,000 envelopes.
func BenchmarkSort(b *testing.B) {
	envs := benchEnvelopes(10000)
	for _, q := range []string{"", "order by subject from", "order by from desc"} {
		b.Run(q, func(b *testing.B) {
			query := MustParse(q)
			work := make([]email.Envelope, len(envs))
			b.ReportAllocs()
			for b.Loop() {
				copy(work, envs)
				query.SortEnvelopes(work)
			}
		})
	}
}
