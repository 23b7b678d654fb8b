package coroutine_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// counter asks for n reads and sums the numbers it is answered with.
type counter struct {
	n, sum, asked int
	done          bool
}

func (c *counter) Resume(in int) (string, bool) {
	if c.done {
		return "", true
	}
	if c.asked > 0 {
		c.sum += in
	}
	if c.asked == c.n {
		c.done = true
		return "", true
	}
	c.asked++
	return "give " + strconv.Itoa(c.asked), false
}

func (c *counter) Result() (int, error) {
	if !c.done {
		return 0, coroutine.ErrNotDone
	}
	return c.sum, nil
}

func TestRun(t *testing.T) {
	var reqs []string
	got, err := coroutine.Run[int, string, int](&counter{n: 3}, func(r string) int { reqs = append(reqs, r); return len(reqs) * 10 })
	require.NoError(t, err)
	assert.Equal(t, 60, got)
	assert.Equal(t, []string{"give 1", "give 2", "give 3"}, reqs)
}

func TestResultBeforeDone(t *testing.T) {
	c := &counter{n: 2}
	c.Resume(0)
	_, err := c.Result()
	assert.ErrorIs(t, err, coroutine.ErrNotDone)
	assert.ErrorIs(t, coroutine.ErrResumedAfterDone, email.ErrMachineDone)
}

func TestDoneAndMap(t *testing.T) {
	boom := errors.New("boom")
	d := coroutine.Done[int, string, int](0, boom)
	_, done := d.Resume(0)
	assert.True(t, done)
	_, err := d.Result()
	assert.ErrorIs(t, err, boom)

	m := coroutine.Map[int, string, int, string](&counter{n: 2}, func(n int) (string, error) { return fmt.Sprint("sum=", n), nil })
	out, err := coroutine.Run(m, func(string) int { return 5 })
	require.NoError(t, err)
	assert.Equal(t, "sum=10", out)

	called := false
	m2 := coroutine.Map[int, string, int, int](coroutine.Done[int, string, int](0, boom), func(int) (int, error) { called = true; return 0, nil })
	_, err = coroutine.Run(m2, func(string) int { return 0 })
	assert.ErrorIs(t, err, boom)
	assert.False(t, called, "f is not called when the machine fails")
}

func TestThen(t *testing.T) {
	m := coroutine.Then[int, string, int, int](&counter{n: 2}, func(sum int) coroutine.Machine[int, string, int] {
		return &counter{n: sum}
	})
	var reqs []string
	out, err := coroutine.Run(m, func(r string) int { reqs = append(reqs, r); return 1 })
	require.NoError(t, err)
	assert.Equal(t, 2, out)
	assert.Equal(t, []string{"give 1", "give 2", "give 1", "give 2"}, reqs)
	_, done := m.Resume(0)
	assert.True(t, done, "resuming after done stays done")
}

func TestReplay(t *testing.T) {
	same := func(a, b string) bool { return a == b }
	script := []coroutine.Exchange[string, int]{{"give 1", 4}, {"give 2", 5}}
	out, err := coroutine.Replay[int, string, int](&counter{n: 2}, script, same)
	require.NoError(t, err)
	assert.Equal(t, 9, out)

	_, err = coroutine.Replay[int, string, int](&counter{n: 3}, script, same)
	var se *coroutine.ScriptError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 2, se.Step)

	_, err = coroutine.Replay[int, string, int](&counter{n: 1}, script, same)
	require.ErrorAs(t, err, &se, "finishing early is an error")

	bad := []coroutine.Exchange[string, int]{{"give 7", 1}}
	_, err = coroutine.Replay[int, string, int](&counter{n: 1}, bad, same)
	require.ErrorAs(t, err, &se)
	assert.Contains(t, se.Reason, "give 7")
}

func TestFileResultJSON(t *testing.T) {
	steps := []coroutine.FileStep{{
		Requests: []coroutine.FileRequest{coroutine.ReadHead("a/b", 8192), coroutine.Create("c", []byte("x"))},
		Results: []coroutine.FileResult{
			{Err: &fs.PathError{Op: "open", Path: "a/b", Err: fs.ErrNotExist}},
			{Err: &fs.PathError{Op: "open", Path: "c", Err: fs.ErrExist}},
		},
	}, {
		Requests: []coroutine.FileRequest{coroutine.List("d")},
		Results:  []coroutine.FileResult{{Entries: []coroutine.DirEntry{{Name: "e", IsDir: true}}}},
	}}
	b, err := json.Marshal(steps)
	require.NoError(t, err)
	var back []coroutine.FileStep
	require.NoError(t, json.Unmarshal(b, &back))
	require.Len(t, back, 2)
	assert.ErrorIs(t, back[0].Results[0].Err, fs.ErrNotExist)
	assert.ErrorIs(t, back[0].Results[1].Err, fs.ErrExist)
	assert.NotErrorIs(t, back[0].Results[1].Err, fs.ErrNotExist)
	assert.Equal(t, "e", back[1].Results[0].Entries[0].Name)
	assert.True(t, coroutine.SameFileBatch(steps[0].Requests, back[0].Requests))
	assert.False(t, coroutine.SameFileBatch(steps[0].Requests, back[1].Requests))
}

func TestOpNames(t *testing.T) {
	assert.Equal(t, "rename", coroutine.FileRename.String())
	assert.Equal(t, "invalid", coroutine.FileOp(0).String())
	assert.Equal(t, "starttls", coroutine.NetStartTLS.String())
}
