package m2dir

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ioemail/ioemail/email"
)

// CleanTmp refuses, before any I/O, what it cannot judge safely.
func TestCleanTmpArguments(t *testing.T) {
	for _, c := range []struct {
		s   Store
		box string
		age time.Duration
	}{
		{Store{Root: "/r"}, "INBOX", 0}, // no clock
		{Store{Root: "/r", Clock: time.Now}, "INBOX", -time.Second},
		{Store{Root: "/r", Clock: time.Now}, "../x", 0},
	} {
		m := c.s.CleanTmp(c.box, c.age)
		_, done := m.Resume(nil)
		assert.True(t, done)
		_, err := m.Result()
		assert.Error(t, err)
		var op *email.OpError
		assert.ErrorAs(t, err, &op)
	}
}
