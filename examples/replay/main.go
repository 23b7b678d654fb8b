// Command replay drives a Maildir step machine by hand, answering each of
// its file requests from a recorded script instead of the disk. It is the
// shape a caller's own event loop or fuzz harness takes: the machine never
// touches a file; the loop decides where each answer comes from.
//
// Replay the script shipped under testdata/ (run from the repository root):
//
//	go run ./examples/replay
//
// Record a script of your own: point -record at a Maildir (the root of a
// Maildir++ tree, INBOX at its root). The program lists the envelopes of
// INBOX through the real file system, keeping every batch of requests and
// the results the driver gave, and writes them as JSON:
//
//	go run ./examples/replay -record ~/Maildir -script /tmp/inbox.json
//	go run ./examples/replay -script /tmp/inbox.json
//
// The recording is made with coroutine.Recorder around client.FileDriver;
// any driver of your own can be wrapped the same way. A script replays only
// while the machine asks for exactly the recorded requests, so a change in
// the code that alters its I/O shows up as a replay failure (a
// *coroutine.ScriptError naming the step).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

// Script is the file format: the store root the recording was made with,
// the mailbox listed, and the batches of requests with their results.
type Script struct {
	Root    string               `json:"root"`
	Mailbox string               `json:"mailbox"`
	Steps   []coroutine.FileStep `json:"steps"`
}

func main() {
	record := flag.String("record", "", "record a script from this Maildir instead of replaying")
	path := flag.String("script", "testdata/replay/maildir_list_envelopes.json", "script file to replay or write")
	flag.Parse()
	var err error
	if *record != "" {
		err = recordScript(*record, *path)
	} else {
		err = replay(os.Stdout, *path)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// replay runs the listing machine, answering every request from the script.
func replay(w io.Writer, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var s Script
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	m := maildir.Store{Root: s.Root}.ListEnvelopes(s.Mailbox, email.ListOptions{})

	// The loop a caller writes: resume with the last answer, get the next
	// request, find its answer (here: in the script), repeat until done.
	var in []coroutine.FileResult
	for step := 0; ; step++ {
		reqs, done := m.Resume(in)
		if done {
			break
		}
		if step >= len(s.Steps) {
			return fmt.Errorf("step %d: the machine asks for more than the script holds", step)
		}
		if !coroutine.SameFileBatch(s.Steps[step].Requests, reqs) {
			return fmt.Errorf("step %d: the machine asks for something else than was recorded", step)
		}
		fmt.Fprintf(w, "step %d: %d request(s), first: %s %s\n", step, len(reqs), reqs[0].Op, reqs[0].Path)
		in = s.Steps[step].Results
	}
	envs, err := m.Result()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d envelope(s) in %s, replayed without touching the disk:\n", len(envs), s.Mailbox)
	for _, e := range envs {
		fmt.Fprintf(w, "  %s  %-40.40s %v\n", e.Date.Format("2006-01-02"), e.Subject, e.Flags.Raw())
	}
	return nil
}

// recordScript lists INBOX of the Maildir at root through the real file
// system and saves every batch as a script.
func recordScript(root, path string) error {
	root, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	s := Script{Root: filepath.ToSlash(root), Mailbox: "INBOX"}
	d := client.NewFileDriver(0)
	rec := &coroutine.Recorder{Do: func(r []coroutine.FileRequest) []coroutine.FileResult {
		return d.Do(context.Background(), r)
	}}
	m := maildir.Store{Root: s.Root}.ListEnvelopes(s.Mailbox, email.ListOptions{})
	if _, err := coroutine.Run(m, rec.Perform); err != nil {
		return err
	}
	s.Steps = rec.Steps
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
