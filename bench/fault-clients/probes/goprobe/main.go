// Go net/http probe: http.Client{Timeout: 3s} (covers body read), io.ReadAll. One output line.
// usage: goprobe [--upload] URL
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

func chain(err error) string {
	var types []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		types = append(types, fmt.Sprintf("%T", e))
	}
	return strings.Join(types, " <- ")
}

func main() {
	args := os.Args[1:]
	upload := len(args) > 1 && args[0] == "--upload"
	url := args[len(args)-1]
	c := &http.Client{Timeout: 3 * time.Second}
	var resp *http.Response
	var err error
	if upload {
		resp, err = c.Post(url, "application/octet-stream", bytes.NewReader(bytes.Repeat([]byte("a"), 5<<20)))
	} else {
		resp, err = c.Get(url)
	}
	if err != nil {
		fmt.Printf("%s [%s]\n", err, chain(err))
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		fmt.Printf("body read error after status=%d body_len=%d: %s [%s]\n", resp.StatusCode, len(body), err, chain(err))
		return
	}
	fmt.Printf("ok status=%d body_len=%d\n", resp.StatusCode, len(body))
}
