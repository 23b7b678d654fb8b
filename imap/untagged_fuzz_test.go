package imap

import (
	"strings"
	"testing"

	"github.com/ioemail/ioemail/imap/internal/wire"
	"github.com/ioemail/ioemail/internal/transcripttest"
)

// stateKinds names the response kinds that carry state.
var stateKinds = map[wire.Kind]string{
	wire.KindExists: "EXISTS", wire.KindExpunge: "EXPUNGE", wire.KindVanished: "VANISHED", wire.KindFetch: "FETCH",
	wire.KindSearch: "SEARCH", wire.KindSort: "SORT", wire.KindESearch: "ESEARCH", wire.KindStatus: "",
}

// FuzzStateName checks that the classifier of broken untagged responses
// agrees with the parser: every response the parser reads as a message
// count, FETCH, search result or UIDVALIDITY/UIDNEXT/HIGHESTMODSEQ code is
// named so by stateName (so that, had it not parsed, the command would
// have failed), and nothing else is. Seeds are every response of the
// transcripts in testdata/imap.
func FuzzStateName(f *testing.F) {
	for _, server := range transcripttest.Servers(f, "../testdata/imap/*.txt") {
		var rd wire.Reader
		rd.Feed(server)
		for {
			raw, err := rd.Next()
			if err != nil || raw == nil {
				break
			}
			f.Add(string(raw))
		}
	}
	f.Add("* 3 EXISTS\r\n")
	f.Add("* OK [UIDVALIDITY 99999999999] v\r\n")
	f.Add("* 1 FETCH UID 1\r\n")
	f.Fuzz(func(t *testing.T, raw string) {
		name, view := stateName([]byte(raw))
		if view && name == "" {
			t.Fatalf("view without a name for %q", raw)
		}
		resp, err := wire.Parse([]byte(raw))
		if err != nil || resp.Tag != "" {
			return
		}
		want, ok := stateKinds[resp.Kind]
		switch {
		case resp.Kind == wire.KindStatus && resp.Status != nil:
			st := resp.Status
			for _, c := range []string{"UIDVALIDITY", "UIDNEXT", "HIGHESTMODSEQ"} {
				if (string(st.Code) == c || string(st.BadCode) == c) && st.Type != wire.BYE && st.Type != wire.PREAUTH {
					want = string(st.Type) + " [" + c + "]"
				}
			}
		case !ok:
			return // other kinds: stateName may say anything (a broken LIST is skipped)
		}
		if want != "" && name != want {
			t.Fatalf("stateName(%q) = %q, parser says %q", raw, name, want)
		}
		if want == "" && resp.Kind == wire.KindStatus && name != "" && !strings.Contains(name, "[") {
			t.Fatalf("stateName(%q) = %q for a plain status", raw, name)
		}
	})
}
