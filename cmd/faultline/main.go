// Command faultline reads a failed CI log and says what broke, the lines
// that prove it, and what to do about it.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], stdio()))
}
