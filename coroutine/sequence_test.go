package coroutine

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

// countdown writes its name n times, then ends with its name or err.
type countdown struct {
	name string
	n    int
	err  error
}

func (c *countdown) Resume(NetReply) (NetRequest, bool) {
	if c.n == 0 {
		return NetRequest{}, true
	}
	c.n--
	return Write([]byte(c.name)), false
}

func (c *countdown) Result() (string, error) { return c.name, c.err }

func TestBracket(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		open, op, close error
		wrote           string
		out             string
		err             error
	}{
		{wrote: "ooxxc", out: "x"},
		{open: boom, wrote: "oo", err: boom},
		{op: boom, wrote: "ooxxc", out: "x", err: boom},
		{close: boom, wrote: "ooxxc", out: "x", err: boom},
	} {
		var wrote string
		m := Bracket(NetMachine[string](&countdown{"o", 2, tc.open}), NetMachine[string](&countdown{"x", 2, tc.op}), NetMachine[string](&countdown{"c", 1, tc.close}))
		out, err := Run(m, func(r NetRequest) NetReply { wrote += string(r.Data); return NetReply{} })
		assert.Equal(t, tc.wrote, wrote)
		assert.ErrorIs(t, err, tc.err)
		if tc.err == nil {
			assert.NoError(t, err)
			assert.Equal(t, tc.out, out)
		}
		_, done := m.Resume(NetReply{})
		assert.True(t, done)
	}
	_, err := Bracket(NetMachine[string](&countdown{"o", 1, nil}), NetMachine[string](&countdown{}), NetMachine[string](&countdown{})).Result()
	assert.ErrorIs(t, err, ErrNotDone)
}
