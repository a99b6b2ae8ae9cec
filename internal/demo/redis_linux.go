package demo

import (
	"os/exec"
	"syscall"
)

// setChildAttrs makes the child die with the demo, even when the demo is
// killed without a chance to stop it.
func setChildAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
