package chaos

import (
	"io"
	"net"
	"sync"
)

// Proxy forwards TCP connections to a target and can misbehave on
// command: refuse new connections with a fixed banner (an SMTP server
// answering 4xx) or drop every open connection (a network blip).
type Proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	banner string // non-empty: answer new connections with it and close
	conns  map[net.Conn]bool
	wg     sync.WaitGroup
}

// NewProxy listens on a free loopback port and forwards to target.
func NewProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the address clients connect to.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Refuse makes new connections get banner and be closed; "" forwards
// again.
func (p *Proxy) Refuse(banner string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.banner = banner
}

// Drop closes every open connection (both sides).
func (p *Proxy) Drop() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
		n++
	}
	return n / 2
}

// Close stops the proxy and closes its connections.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.Drop()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		banner := p.banner
		p.mu.Unlock()
		if banner != "" {
			io.WriteString(c, banner)
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

func (p *Proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	io.Copy(dst, src)
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}
