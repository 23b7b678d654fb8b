package fuzzreplay

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ioemail/ioemail/coroutine"
)

// record records a fresh session against an in-process server.
func record(t testing.TB) []coroutine.Turn {
	t.Helper()
	addr, stop, err := StartServer()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	text, err := Record(ctx, addr, "alice", "alicepass")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text, "alicepass") || strings.Contains(text, "AGFsaWNlAGFsaWNlcGFzcw") {
		t.Fatalf("the transcript holds the password:\n%s", text)
	}
	turns, err := coroutine.ParseTranscript(text)
	if err != nil {
		t.Fatal(err)
	}
	return turns
}

// TestReplay replays the recorded session unchanged, with another
// password (the redacted line accepts it): it reads the message back.
func TestReplay(t *testing.T) {
	turns := record(t)
	for _, chunk := range []int{0, 1, 7} {
		got, err := coroutine.ReplayNet(Session("alice", "another password"), &coroutine.NetScript{Turns: turns, Chunk: chunk})
		if err != nil {
			t.Fatalf("chunk %d: %v", chunk, err)
		}
		if string(got) != Message {
			t.Fatalf("chunk %d: read back %q", chunk, got)
		}
	}
}

// FuzzReplay replays the recorded session with one server turn replaced
// by the fuzzer's bytes, handed to the machine in pieces of the fuzzer's
// size, and fails on any outcome that is not success or a documented
// error (see Check). Seeds: each server turn as recorded.
func FuzzReplay(f *testing.F) {
	turns := record(f)
	var server []int
	for i, t := range turns {
		if t.Side == coroutine.Server {
			server = append(server, i)
		}
	}
	for k, i := range server {
		f.Add(uint8(k), uint8(0), turns[i].Data)
		f.Add(uint8(k), uint8(3), turns[i].Data)
	}
	f.Fuzz(func(t *testing.T, k, chunk uint8, data []byte) {
		mutated := append([]coroutine.Turn(nil), turns...)
		i := server[int(k)%len(server)]
		mutated[i] = coroutine.Turn{Side: coroutine.Server, Data: data}
		_, err := coroutine.ReplayNet(Session("alice", "alicepass"), &coroutine.NetScript{Turns: mutated, Chunk: int(chunk)})
		if err := Check(err); err != nil {
			t.Fatal(err)
		}
	})
}
