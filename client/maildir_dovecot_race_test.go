package client_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

// Adding keywords while Dovecot adds keywords to the same folder corrupts
// nothing: in every round we add ours through StoreFlags while doveadm
// adds its own, at the same time, and every message ends with exactly the
// union, as both we and Dovecot read it.
func TestMaildirKeywordsConcurrentDovecot(t *testing.T) {
	const rounds, msgs, each = 8, 6, 4
	ctx := context.Background()
	da := newDoveadm(t)
	for r := range rounds {
		c, root := mdNew(t, maildir.LayoutMaildirPP)
		loc := mdDovecotLoc(root, maildir.LayoutMaildirPP)
		var ids []string
		for i := range msgs {
			id, err := c.AddMessage(ctx, "INBOX", strings.NewReader(mdMsg(fmt.Sprintf("r%d m%d", r, i), "Mon, 01 Jan 2024 10:00:00 +0000")), email.ParseFlags(`\Seen`))
			require.NoError(t, err)
			ids = append(ids, id)
		}
		da.own(t, root)
		da.flags(t, loc, "INBOX") // Dovecot indexes the folder first, as a running server has
		var want []string
		for k := range each {
			want = append(want, fmt.Sprintf("ours%d", k), fmt.Sprintf("dove%d", k))
		}
		var wg sync.WaitGroup
		errs := make(chan error, 2*each)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for k := range each {
				if err := c.StoreFlags(ctx, "INBOX", ids, email.FlagAdd, email.ParseFlags(fmt.Sprintf("ours%d", k))); err != nil {
					errs <- fmt.Errorf("ours%d: %w", k, err)
				}
			}
		}()
		go func() {
			defer wg.Done()
			for k := range each {
				if out, err := da.cmd(loc, "flags", "add", fmt.Sprintf("dove%d", k), "mailbox", "INBOX", "all").CombinedOutput(); err != nil {
					errs <- fmt.Errorf("doveadm dove%d: %w: %s", k, err, out)
				}
			}
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err, "round %d", r)
		}
		sort.Strings(want)
		theirs := da.flags(t, loc, "INBOX")
		envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
		require.NoError(t, err)
		require.Len(t, envs, msgs, "round %d", r)
		for _, e := range envs {
			var ours []string
			for _, f := range e.Flags {
				if f.IANA == email.Custom {
					ours = append(ours, f.Raw)
				}
			}
			sort.Strings(ours)
			assert.Equal(t, want, ours, "round %d, %s as we read it", r, e.ID)
			var dv []string
			for _, f := range theirs[e.ID] {
				if !strings.HasPrefix(f, `\`) {
					dv = append(dv, f)
				}
			}
			sort.Strings(dv)
			assert.Equal(t, want, dv, "round %d, %s as Dovecot reads it", r, e.ID)
		}
	}
}
