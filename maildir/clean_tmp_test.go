package maildir

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
)

func TestCleanTmp(t *testing.T) {
	m := fixture()
	now := time.Unix(1700000000, 0)
	m.write("/m/tmp/old", "crash leftover")
	m.write("/m/tmp/young", "delivery in flight")
	m.write("/m/tmp/.dot", "not ours")
	m.ftime = map[string]time.Time{
		"/m/tmp/old":   now.Add(-40 * time.Hour),
		"/m/tmp/young": now.Add(-time.Hour),
		"/m/tmp/.dot":  now.Add(-100 * time.Hour),
	}
	n, err := coroutine.Run(testStore().CleanTmp("INBOX", 0), m.do)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.NotContains(t, m.files, "/m/tmp/old")
	assert.Contains(t, m.files, "/m/tmp/young")
	assert.Contains(t, m.files, "/m/tmp/.dot")
	assert.Len(t, m.messages("/m"), 3, "messages are never touched")

	n, err = coroutine.Run(testStore().CleanTmp("INBOX", 30*time.Minute), m.do)
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	_, err = coroutine.Run(Store{Root: "/m"}.CleanTmp("INBOX", 0), m.do)
	assert.Error(t, err, "a clock is required")
}
