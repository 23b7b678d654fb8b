package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	report "github.com/ioemail/ioemail/bench/internal/rounds"
	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/jmap"
)

var (
	jmapSession = flag.String("jmap", "http://127.0.0.1:18080/.well-known/jmap", "JMAP session URL of the Cyrus to measure against (empty: no JMAP rows)")
	jmapUser    = flag.String("jmap-user", "alice:alicepass", "JMAP user:password")
)

// runJMAP measures JMAP GetMessage and AddMessage of a size-byte message
// against Cyrus, each round against a plain net/http anchor doing the same
// exchanges: the download GET copied with io.Copy to the same writer, and
// the upload POST with the reader as its body followed by the same
// Email/import. The rows are skipped when the server cannot be reached.
func runJMAP(size int64) {
	if *jmapSession == "" {
		return
	}
	ctx := context.Background()
	user, pass, _ := strings.Cut(*jmapUser, ":")
	jc, err := client.DialJMAP(ctx, *jmapSession, &client.Options{Auth: client.Password(user, pass), MaxMessageSize: -1})
	if err != nil {
		fmt.Printf("JMAP rows skipped: %v\n", err)
		return
	}
	defer jc.Close()
	fmt.Println("JMAP rows against", *jmapSession, "-", report.Settings())
	s := jc.Session()
	if s.MaxUpload() < size {
		fmt.Printf("JMAP rows at Cyrus's maxSizeUpload, %d bytes, not %d\n", s.MaxUpload(), size)
		size = s.MaxUpload()
	}
	box := fmt.Sprintf("bench-streaming-%d", time.Now().UnixNano())
	if err := jc.CreateMailbox(ctx, box); err != nil {
		log.Fatal(err)
	}
	defer jc.DeleteMailbox(ctx, box)
	mid, err := jc.MailboxID(ctx, box)
	if err != nil {
		log.Fatal(err)
	}
	a := &anchorJMAP{s: s, user: user, pass: pass, hc: &http.Client{}}
	nonce := time.Now().UnixNano()
	msg := func(who string, round int) io.Reader {
		head := fmt.Sprintf("X-Bench: %s-%d-%d\r\n", who, round, nonce)
		return io.MultiReader(strings.NewReader(head), &message{size: size - int64(len(head))})
	}

	id, err := jc.AddMessage(ctx, box, msg("get", 0), nil)
	if err != nil {
		log.Fatal(err)
	}
	blobID, err := a.blobID(id)
	if err != nil {
		log.Fatal(err)
	}
	get := report.Ratios{Name: "JMAP GetMessage (Cyrus) vs net/http GET + io.Copy", Unit: "wall"}
	add := report.Ratios{Name: "JMAP AddMessage (Cyrus) vs net/http upload + Email/import", Unit: "wall"}
	var getHeap, getAHeap, addHeap, addAHeap uint64
	for round := range *nRounds {
		w, h, n := measure(func() (int64, error) { return jc.GetMessage(ctx, box, id, sha256.New()) })
		aw, ah, an := measure(func() (int64, error) { return a.download(blobID, sha256.New()) })
		if n != size || an != size {
			log.Fatalf("JMAP get moved %d bytes, the anchor %d, of %d", n, an, size)
		}
		getHeap, getAHeap = max(getHeap, h), max(getAHeap, ah)
		fmt.Printf("JMAP GetMessage  round %d  ours %7.3f s %6.1f MiB heap   anchor %7.3f s %6.1f MiB heap   wall ratio %.2f\n",
			round+1, w.Seconds(), mib(h), aw.Seconds(), mib(ah), get.Add(w.Seconds(), aw.Seconds()))

		var ours, theirs string
		w, h, _ = measure(func() (n int64, err error) {
			ours, err = jc.AddMessage(ctx, box, msg("ours", round), nil)
			return size, err
		})
		aw, ah, _ = measure(func() (n int64, err error) {
			theirs, err = a.add(mid, msg("anchor", round))
			return size, err
		})
		addHeap, addAHeap = max(addHeap, h), max(addAHeap, ah)
		fmt.Printf("JMAP AddMessage  round %d  ours %7.3f s %6.1f MiB heap   anchor %7.3f s %6.1f MiB heap   wall ratio %.2f\n",
			round+1, w.Seconds(), mib(h), aw.Seconds(), mib(ah), add.Add(w.Seconds(), aw.Seconds()))
		// Not timed: keep Cyrus's spool small.
		if err := jc.DeleteMessages(ctx, box, []string{ours, theirs}); err != nil {
			log.Fatal(err)
		}
	}
	get.Print(os.Stdout)
	fmt.Printf("  most extra heap: ours %.1f MiB, anchor %.1f MiB\n", mib(getHeap), mib(getAHeap))
	add.Print(os.Stdout)
	fmt.Printf("  most extra heap: ours %.1f MiB, anchor %.1f MiB\n\n", mib(addHeap), mib(addAHeap))
}

// anchorJMAP does the exchanges of a get and an add with net/http alone.
type anchorJMAP struct {
	s          *jmap.Session
	user, pass string
	hc         *http.Client
}

func (a *anchorJMAP) do(method, url, typ string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(a.user, a.pass)
	if typ != "" {
		req.Header.Set("Content-Type", typ)
	}
	resp, err := a.hc.Do(req)
	if err == nil && resp.StatusCode/100 != 2 {
		resp.Body.Close()
		err = fmt.Errorf("%s %s: %s", method, url, resp.Status)
	}
	return resp, err
}

// api makes one JMAP method call and decodes its arguments into v.
func (a *anchorJMAP) api(name string, args map[string]any, v any) error {
	body, _ := json.Marshal(map[string]any{"using": []string{jmap.CapCore, jmap.CapMail}, "methodCalls": []any{[]any{name, args, "0"}}})
	resp, err := a.do("POST", a.s.APIURL, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		MethodResponses [][3]json.RawMessage `json:"methodResponses"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.MethodResponses) != 1 {
		return fmt.Errorf("%s: bad response (%v)", name, err)
	}
	return json.Unmarshal(out.MethodResponses[0][1], v)
}

func (a *anchorJMAP) blobID(id string) (string, error) {
	var g struct {
		List []struct {
			BlobID string `json:"blobId"`
		} `json:"list"`
	}
	if err := a.api("Email/get", map[string]any{"accountId": a.s.AccountID, "ids": []string{id}, "properties": []string{"blobId"}}, &g); err != nil {
		return "", err
	}
	if len(g.List) != 1 {
		return "", fmt.Errorf("email %s not found", id)
	}
	return g.List[0].BlobID, nil
}

func (a *anchorJMAP) download(blobID string, w io.Writer) (int64, error) {
	u := jmap.Expand(a.s.DownloadURL, map[string]string{"accountId": a.s.AccountID, "blobId": blobID, "type": "message/rfc822", "name": "message.eml"})
	resp, err := a.do("GET", u, "", nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return io.Copy(w, resp.Body)
}

func (a *anchorJMAP) add(mailboxID string, r io.Reader) (string, error) {
	resp, err := a.do("POST", jmap.Expand(a.s.UploadURL, map[string]string{"accountId": a.s.AccountID}), "message/rfc822", r)
	if err != nil {
		return "", err
	}
	var up struct {
		BlobID string `json:"blobId"`
	}
	err = json.NewDecoder(resp.Body).Decode(&up)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	var imp struct {
		Created map[string]struct {
			ID string `json:"id"`
		} `json:"created"`
	}
	err = a.api("Email/import", map[string]any{"accountId": a.s.AccountID, "emails": map[string]any{"m": map[string]any{
		"blobId": up.BlobID, "mailboxIds": map[string]bool{mailboxID: true}, "keywords": map[string]bool{},
	}}}, &imp)
	if err != nil {
		return "", err
	}
	if imp.Created["m"].ID == "" {
		return "", fmt.Errorf("the import created no email")
	}
	return imp.Created["m"].ID, nil
}
