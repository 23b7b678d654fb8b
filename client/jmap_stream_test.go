package client_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
)

// bigJMAP is a large message unique to this run (Cyrus keeps one email
// per distinct message).
func bigJMAP(size int64, tag string) *bigMessage {
	return newBigMessageWith(size, "X-Run: "+runNonce+"-"+tag+"\r\nFrom: Alice <alice@jmap.test>\r\nTo: bob@jmap.test\r\nSubject: big "+tag+
		"\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <big-"+tag+"-"+runNonce+"@jmap.test>\r\n\r\n")
}

// TestJMAPCyrusStreamBigMessage adds a 100 MiB message to Cyrus and gets
// it back byte for byte (SHA-256), neither call allocating more than
// maxExtraHeap; a client whose MaxMessageSize is lower refuses to get it
// and to add a message over that size, and stays usable.
func TestJMAPCyrusStreamBigMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 100 MiB through Cyrus")
	}
	ctx := context.Background()
	_, jc, box := cyrus(t)
	size := min(int64(bigSize), jc.Session().MaxUpload())
	require.Equal(t, int64(bigSize), size, "Cyrus's maxSizeUpload (%d) allows 100 MiB", jc.Session().MaxUpload())

	src := bigJMAP(size, "100m")
	var id string
	var err error
	add := allocated(func() { id, err = jc.AddMessage(ctx, box, src, email.ParseFlags(`\Seen`)) })
	require.NoError(t, err)
	assert.Equal(t, size, src.off, "the source was read once, to its end")
	assert.Less(t, add, uint64(maxExtraHeap), "AddMessage allocated %d bytes", add)

	sink := &hashSink{h: sha256.New()}
	var n int64
	get := allocated(func() { n, err = jc.GetMessage(ctx, box, id, sink) })
	require.NoError(t, err)
	assert.Less(t, get, uint64(maxExtraHeap), "GetMessage allocated %d bytes", get)
	assert.Equal(t, size, n)
	assert.Equal(t, size, sink.n)
	assert.Equal(t, src.sum.Sum(nil), sink.h.Sum(nil), "the bytes read back are the bytes added")
	t.Logf("100 MiB through Cyrus: add allocated %d KiB, get %d KiB", add>>10, get>>10)

	// A client with a 1 MiB limit.
	env := testpeers.Load(t, "PEERS_JMAP_SESSION_URL")
	small, err := client.DialJMAP(ctx, env["PEERS_JMAP_SESSION_URL"], &client.Options{Auth: client.Password("alice", "alicepass"), MaxMessageSize: 1 << 20})
	require.NoError(t, err)
	defer small.Close()
	var w bytes.Buffer
	n, err = small.GetMessage(ctx, box, id, &w)
	assert.ErrorIs(t, err, email.ErrTooLarge)
	assert.Zero(t, n)
	assert.Zero(t, w.Len(), "refused before any byte")
	over := bigJMAP(2<<20, "2m")
	_, err = small.AddMessage(ctx, box, over, nil)
	assert.ErrorIs(t, err, email.ErrTooLarge)
	assert.Less(t, over.off, int64(2<<20), "refused as the bytes passed, not after reading them all")
	// Still usable.
	fine := bigJMAP(100<<10, "100k")
	id2, err := small.AddMessage(ctx, box, fine, nil)
	require.NoError(t, err)
	sink = &hashSink{h: sha256.New()}
	_, err = small.GetMessage(ctx, box, id2, sink)
	require.NoError(t, err)
	assert.Equal(t, fine.sum.Sum(nil), sink.h.Sum(nil))
}

// TestJMAPCyrusAddCanonicalises: a message with bare LFs and an mbox
// "From " line, read in small pieces, is stored canonical.
func TestJMAPCyrusAddCanonicalises(t *testing.T) {
	ctx := context.Background()
	_, jc, box := cyrus(t)
	raw := "From alice@jmap.test Mon Jan  1 10:00:00 2024\nX-Run: " + runNonce + "\nFrom: a@jmap.test\nTo: b@jmap.test\nSubject: lf\n\n" + strings.Repeat("line\r\nbare\n", 5000)
	id, err := jc.AddMessage(ctx, box, &pieces{data: []byte(raw), n: 3}, nil)
	require.NoError(t, err)
	var got bytes.Buffer
	_, err = jc.GetMessage(ctx, box, id, &got)
	require.NoError(t, err)
	want := strings.ReplaceAll(strings.ReplaceAll(raw[strings.IndexByte(raw, '\n')+1:], "\r\n", "\n"), "\n", "\r\n")
	assert.Equal(t, want, got.String())
}

// pieces reads data n bytes at a time.
type pieces struct {
	data []byte
	n    int
}

func (p *pieces) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		return 0, io.EOF
	}
	k := copy(b[:min(len(b), p.n)], p.data)
	p.data = p.data[k:]
	return k, nil
}

// TestJMAPStreamHostileDownload: a server that lies about a download
// (Content-Length longer than the body, broken chunked framing, fewer
// bytes than the email's size, more than the limit without a
// Content-Length) gives a typed error, and the client stays usable.
func TestJMAPStreamHostileDownload(t *testing.T) {
	ctx := context.Background()
	raw := strings.Repeat("x", 1000)
	var dl func(w http.ResponseWriter)
	srv := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		if mailboxGet(w, r) {
			return
		}
		if strings.HasPrefix(r.URL.Path, "/dl/") {
			dl(w)
			return
		}
		fmt.Fprint(w, `{"methodResponses":[["Email/get",{"state":"1","list":[{"id":"e1","blobId":"B","mailboxIds":{"mb":true},"size":1000}],"notFound":[]},"0"]]}`)
	})
	jc, err := client.DialJMAP(ctx, srv.URL, &client.Options{Auth: client.Bearer("", strings.TrimPrefix(secretAuth, "Bearer ")), MaxMessageSize: 2000})
	require.NoError(t, err)
	hijack := func(resp string) func(http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			c, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				panic(err)
			}
			c.Write([]byte(resp))
			c.Close()
		}
	}
	for name, c := range map[string]struct {
		dl   func(http.ResponseWriter)
		want error
	}{
		"content-length lies": {hijack("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + raw[:400]), email.ErrProtocol},
		"bad chunk size":      {hijack("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\n" + raw[:256] + "\r\nzz\r\n"), email.ErrProtocol},
		"truncated chunks":    {hijack("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\n" + raw[:256] + "\r\n"), email.ErrProtocol},
		"shorter than size": {func(w http.ResponseWriter) {
			w.(http.Flusher).Flush() // chunked, well framed
			io.WriteString(w, raw[:600])
		}, email.ErrProtocol},
		"over the limit": {func(w http.ResponseWriter) {
			w.(http.Flusher).Flush()
			io.WriteString(w, strings.Repeat(raw, 3))
		}, email.ErrTooLarge},
	} {
		dl = c.dl
		var w bytes.Buffer
		_, err := jc.GetMessage(ctx, "m", "e1", &w)
		assert.ErrorIs(t, err, c.want, name)
		assert.LessOrEqual(t, w.Len(), 2000, name)
		dl = func(w http.ResponseWriter) { io.WriteString(w, raw) }
		w.Reset()
		n, err := jc.GetMessage(ctx, "m", "e1", &w)
		require.NoError(t, err, "%s: usable after", name)
		assert.Equal(t, int64(1000), n)
		assert.Equal(t, raw, w.String())
	}
	// The writer's error comes back as it is.
	dl = func(w http.ResponseWriter) { io.WriteString(w, raw) }
	_, err = jc.GetMessage(ctx, "m", "e1", failingSink{})
	assert.ErrorIs(t, err, errSink)
}

// TestJMAPStreamUploadSource: the upload goes chunked and canonical; a
// failing reader's error comes back and nothing is imported.
func TestJMAPStreamUploadSource(t *testing.T) {
	ctx := context.Background()
	var got []byte
	var te []string
	imports := 0
	srv := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		if mailboxGet(w, r) {
			return
		}
		if strings.HasPrefix(r.URL.Path, "/up/") {
			te = r.TransferEncoding
			var err error
			if got, err = io.ReadAll(r.Body); err != nil {
				return
			}
			fmt.Fprint(w, `{"blobId":"B1","size":1}`)
			return
		}
		imports++
		fmt.Fprint(w, `{"methodResponses":[["Email/import",{"created":{"m":{"id":"E1","blobId":"B1"}}},"0"]]}`)
	})
	jc, err := client.DialJMAP(ctx, srv.URL, &client.Options{Auth: client.Bearer("", strings.TrimPrefix(secretAuth, "Bearer "))})
	require.NoError(t, err)
	id, err := jc.AddMessage(ctx, "m", &pieces{data: []byte("From x\nSubject: s\n\nbody\n"), n: 2}, nil)
	require.NoError(t, err)
	assert.Equal(t, "E1", id)
	assert.Equal(t, []string{"chunked"}, te)
	assert.Equal(t, "Subject: s\r\n\r\nbody\r\n", string(got))
	assert.Equal(t, 1, imports)

	bad := errors.New("disk on fire")
	_, err = jc.AddMessage(ctx, "m", io.MultiReader(strings.NewReader("Subject: s\r\n\r\n"), errReader{bad}), nil)
	assert.ErrorIs(t, err, bad)
	assert.Equal(t, 1, imports, "nothing imported")
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
