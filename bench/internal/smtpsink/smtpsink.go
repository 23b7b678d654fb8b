// Package smtpsink runs go-smtp's server with a backend that reads and
// drops every message, for the bench programs that send to it.
package smtpsink

import (
	"io"
	"log"
	"net"
	"os"

	gosmtp "github.com/emersion/go-smtp"
)

// Start runs the server on 127.0.0.1 and returns its address; it exits
// the program when it cannot listen.
func Start() string {
	s := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return sink{}, nil }))
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.ErrorLog = log.New(os.Stderr, "server: ", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go s.Serve(l)
	return l.Addr().String()
}

type sink struct{}

func (sink) Reset()                                 {}
func (sink) Logout() error                          { return nil }
func (sink) Mail(string, *gosmtp.MailOptions) error { return nil }
func (sink) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (sink) Data(r io.Reader) error                 { _, err := io.Copy(io.Discard, r); return err }
