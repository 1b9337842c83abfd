//go:build tools

// Package tools pins the Helm command that lab/setup.d/55-helm.sh builds.
package tools

import (
	_ "helm.sh/helm/v4/cmd/helm"
)
