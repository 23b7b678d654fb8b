package coroutine

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"time"
)

// FileStep is one recorded batch of file requests and their results. A list
// of steps, as JSON, is a file-system script: record one by wrapping a
// driver (see Recorder), or write one by hand, and replay it with
// ReplayFiles.
type FileStep struct {
	Requests []FileRequest `json:"requests"` // the batch the machine asked for
	Results  []FileResult  `json:"results"`  // the driver's results, in order
}

// SameFileBatch reports whether two batches hold the same requests in the
// same order, comparing every field including written data.
func SameFileBatch(want, got []FileRequest) bool {
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		w, g := want[i], got[i]
		if w.Op != g.Op || w.Path != g.Path || w.Target != g.Target || w.Limit != g.Limit || w.Head != g.Head ||
			w.Recursive != g.Recursive || w.Replace != g.Replace || !bytes.Equal(w.Data, g.Data) || !w.ModTime.Equal(g.ModTime) {
			return false
		}
	}
	return true
}

// ReplayFiles drives a file machine from a script; see Replay.
func ReplayFiles[Out any](m FileMachine[Out], steps []FileStep) (Out, error) {
	script := make([]Exchange[[]FileRequest, []FileResult], len(steps))
	for i, s := range steps {
		script[i] = Exchange[[]FileRequest, []FileResult]{Request: s.Requests, Reply: s.Results}
	}
	return Replay(m, script, SameFileBatch)
}

// Recorder wraps a file driver function and keeps every batch it performs,
// so a real run can be saved (encoding/json) and replayed later.
type Recorder struct {
	Do    func([]FileRequest) []FileResult // the driver that performs each batch
	Steps []FileStep                       // the batches performed so far
}

// Perform runs the batch through r.Do and records it. A script keeps
// bytes, not digests, so the requests reach r.Do with DigestOnly cleared:
// every read's Data is recorded and a replay gives the machine what the
// recorded run had.
func (r *Recorder) Perform(reqs []FileRequest) []FileResult {
	reqs = append([]FileRequest(nil), reqs...)
	for i := range reqs {
		reqs[i].DigestOnly = false
	}
	res := r.Do(reqs)
	r.Steps = append(r.Steps, FileStep{Requests: reqs, Results: append([]FileResult(nil), res...)})
	return res
}

// The error kinds a FileResult keeps through JSON.
const (
	errKindNotExist   = "not-exist"
	errKindExist      = "exist"
	errKindPermission = "permission"
	errKindOther      = "other"
)

type fileResultJSON struct {
	Err     string     `json:"err,omitempty"`
	ErrText string     `json:"err-text,omitempty"`
	Entries []DirEntry `json:"entries,omitempty"`
	Data    []byte     `json:"data,omitempty"`
	Size    int64      `json:"size,omitempty"`
	ModTime time.Time  `json:"mod-time,omitzero"`
	IsDir   bool       `json:"is-dir,omitempty"`
	Changed bool       `json:"changed,omitempty"`
	Sum     []byte     `json:"sum,omitempty"`
}

// MarshalJSON encodes the result; Err is kept as its kind (not-exist, exist,
// permission, other) and text.
func (r FileResult) MarshalJSON() ([]byte, error) {
	v := fileResultJSON{Entries: r.Entries, Data: r.Data, Size: r.Size, ModTime: r.ModTime, IsDir: r.IsDir, Changed: r.Changed, Sum: r.Sum}
	if r.Err != nil {
		v.ErrText = r.Err.Error()
		switch {
		case errors.Is(r.Err, fs.ErrNotExist):
			v.Err = errKindNotExist
		case errors.Is(r.Err, fs.ErrExist):
			v.Err = errKindExist
		case errors.Is(r.Err, fs.ErrPermission):
			v.Err = errKindPermission
		default:
			v.Err = errKindOther
		}
	}
	return json.Marshal(v)
}

// UnmarshalJSON decodes what MarshalJSON wrote; the error gets back a value
// that errors.Is matches against fs.ErrNotExist, fs.ErrExist or
// fs.ErrPermission.
func (r *FileResult) UnmarshalJSON(b []byte) error {
	var v fileResultJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = FileResult{Entries: v.Entries, Data: v.Data, Size: v.Size, ModTime: v.ModTime, IsDir: v.IsDir, Changed: v.Changed, Sum: v.Sum}
	if v.Err != "" {
		r.Err = &recordedError{kind: v.Err, text: v.ErrText}
	}
	return nil
}

type recordedError struct{ kind, text string }

func (e *recordedError) Error() string { return e.text }

func (e *recordedError) Is(target error) bool {
	switch target {
	case fs.ErrNotExist:
		return e.kind == errKindNotExist
	case fs.ErrExist:
		return e.kind == errKindExist
	case fs.ErrPermission:
		return e.kind == errKindPermission
	}
	return false
}
