package demo

import (
	"os/exec"
	"syscall"
)

// setChildAttrs puts redis-server in its own process group, so that a
// Ctrl-C in the terminal reaches only the demo, which stops Redis last,
// after the workers have put their tasks back; and makes it die with the
// demo even when the demo is killed without a chance to stop it.
func setChildAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
