// A Go client for tests/http2/clients.py: net/http's own HTTP/2 over TLS (ALPN h2), one
// client for every request, as a Go service holds one. For each path it prints one line:
// the path, then the status and body bytes, or the error Go reports.
//
//	go run main.go BASE CA_FILE HEADER PATH...
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	base, caFile, header, paths := os.Args[1], os.Args[2], os.Args[3], os.Args[4:]
	pem, err := os.ReadFile(caFile)
	if err != nil {
		panic(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	client := &http.Client{
		Timeout: 20 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig:   &tls.Config{RootCAs: roots},
			ForceAttemptHTTP2: true, // a TLS config of its own turns HTTP/2 off unless asked for
		},
	}
	name, value, _ := strings.Cut(header, ": ")
	for _, path := range paths {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set(name, value)
		res, err := client.Do(req)
		if err != nil {
			fmt.Printf("%s error=%v\n", path, err)
			continue
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			fmt.Printf("%s status=%d proto=%s bytes=%d error=%v\n", path, res.StatusCode, res.Proto, len(body), err)
			continue
		}
		fmt.Printf("%s status=%d proto=%s bytes=%d\n", path, res.StatusCode, res.Proto, len(body))
	}
}
