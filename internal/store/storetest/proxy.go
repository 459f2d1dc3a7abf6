package storetest

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
)

// CountingDSN returns a URL for the PostgreSQL database at dsn that leads
// through a proxy of the test's own, and the number of queries sent through
// it so far. Give the URL to store.Open to hold pages to a number of
// queries.
//
// A query is a message of PostgreSQL's protocol that runs one: a simple
// Query, or an Execute of the extended protocol (pgx sends one per query it
// runs with arguments). Parse, Describe, Bind and Sync run nothing and are
// not counted, nor is pgx's check of an idle connection ("-- ping"). The URL asks for no TLS (sslmode=disable), so that the
// proxy can read the messages. The proxy closes when the test ends.
func CountingDSN(t testing.TB, dsn string) (string, *atomic.Int64) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || !(u.Scheme == "postgres" || u.Scheme == "postgresql") || u.Hostname() == "" {
		t.Fatalf("storetest.CountingDSN needs a postgres:// URL with a host (%v)", err)
	}
	upstream := u.Host
	if u.Port() == "" {
		upstream = net.JoinHostPort(u.Hostname(), "5432")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("counting proxy: %v", err)
	}
	p := &proxy{ln: ln, upstream: upstream, conns: map[net.Conn]struct{}{}}
	p.wg.Go(p.serve)
	t.Cleanup(p.close)

	u.Host = ln.Addr().String()
	q := u.Query()
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	return u.String(), &p.queries
}

// The codes of the packets a client may send before its startup message,
// which have no type byte (see the protocol's "Message Formats").
const (
	cancelRequest = 80877102 // cancel a query running on another connection
	sslRequest    = 80877103 // ask for TLS; the server answers 'S' or 'N'
	gssEncRequest = 80877104 // ask for GSSAPI encryption; likewise
)

// proxy passes PostgreSQL connections to the server at upstream, counting
// the queries clients send.
type proxy struct {
	ln       net.Listener
	upstream string
	queries  atomic.Int64
	wg       sync.WaitGroup

	mu     sync.Mutex
	conns  map[net.Conn]struct{} // both ends of every open connection
	closed bool
}

// serve accepts connections until the listener closes.
func (p *proxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Go(func() { p.relay(client) })
	}
}

// close stops accepting, cuts every connection and waits for their
// goroutines.
func (p *proxy) close() {
	_ = p.ln.Close() // stops serve
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		_ = c.Close() // ends relay's copies
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// track keeps c to be closed with the proxy; false once the proxy has
// closed.
func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

// drop closes c and forgets it.
func (p *proxy) drop(c net.Conn) {
	_ = c.Close() // the other end has gone, or the proxy is closing
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// relay joins client to a new connection to the server until either ends.
func (p *proxy) relay(client net.Conn) {
	defer p.drop(client)
	if !p.track(client) {
		return
	}
	server, err := net.Dial("tcp", p.upstream)
	if err != nil {
		return
	}
	defer p.drop(server)
	if !p.track(server) {
		return
	}
	answers := make(chan struct{})
	go func() {
		defer close(answers)
		_, _ = io.Copy(client, server) // the server's side ends when either does
		_ = client.Close()
	}()
	_ = p.forward(server, bufio.NewReader(client))
	_ = server.Close() // ends the copy of the answers
	<-answers
}

// forward copies what a client sends to the server, message by message,
// counting the queries, until the client hangs up or either side fails.
func (p *proxy) forward(server io.Writer, client *bufio.Reader) error {
	// First come packets without a type byte, each a length (counting
	// itself) and a code: requests for encryption, which the server
	// answers with one byte, then a startup message or a cancel request.
	var buf []byte
	for {
		var head [8]byte
		if _, err := io.ReadFull(client, head[:]); err != nil {
			return err
		}
		n := int(binary.BigEndian.Uint32(head[:4]))
		if n < len(head) {
			return errors.New("counting proxy: a startup packet too short")
		}
		buf = append(append(buf[:0], head[:]...), make([]byte, n-len(head))...)
		if _, err := io.ReadFull(client, buf[len(head):]); err != nil {
			return err
		}
		if _, err := server.Write(buf); err != nil {
			return err
		}
		code := binary.BigEndian.Uint32(head[4:])
		if code == cancelRequest {
			// Nothing follows; the server hangs up once it has read it.
			_, err := io.Copy(server, client)
			return err
		}
		if code != sslRequest && code != gssEncRequest {
			break // the startup message
		}
		// The server's one-byte answer goes back by the other copy; after a
		// refusal the client sends its startup message. (With
		// sslmode=disable, pgx never asks.)
	}
	// Then messages: a type byte, then a length counting itself but not
	// the type.
	for {
		var head [5]byte
		if _, err := io.ReadFull(client, head[:]); err != nil {
			return err
		}
		n := int(binary.BigEndian.Uint32(head[1:]))
		if n < 4 {
			return errors.New("counting proxy: a message too short")
		}
		buf = append(append(buf[:0], head[:]...), make([]byte, n-4)...)
		if _, err := io.ReadFull(client, buf[len(head):]); err != nil {
			return err
		}
		if isQuery(head[0], buf[len(head):]) {
			// Counted before the server sees it, so before its answer.
			p.queries.Add(1)
		}
		if _, err := server.Write(buf); err != nil {
			return err
		}
	}
}

// pgxPing is the body of the Query message pgx sends to check a
// connection it takes from the pool after a second idle: a comment, which
// runs nothing.
const pgxPing = "-- ping\x00"

// isQuery reports whether a message of type typ with body runs a query.
func isQuery(typ byte, body []byte) bool {
	return typ == 'E' || typ == 'Q' && string(body) != pgxPing
}
