;;; article-lsp.el --- article-lsp through eglot  -*- lexical-binding: t; -*-

;; Load this file from your init (or copy its forms there).  It needs eglot
;; (built into Emacs 29 and later; a package for Emacs 28) and markdown-mode.
;; Run `M-x eglot' in a Markdown article, or keep the hook below to start
;; the server whenever one is opened.

;;; Code:

(require 'eglot)

;; The server for Markdown buffers; `article-lsp' must be on `exec-path'
;; (or write its full path here).
(add-to-list 'eglot-server-programs
             '((markdown-mode gfm-mode) . ("article-lsp")))

;; The workspace is the project: a version-controlled folder, or, on Emacs
;; 29 and later, also a folder with an `article-lsp.toml'.
(with-eval-after-load 'project
  (when (boundp 'project-vc-extra-root-markers)
    (add-to-list 'project-vc-extra-root-markers "article-lsp.toml")))

;; Settings under `:articleLsp' override the `article-lsp.toml' at the
;; root; leave out what you do not change.
;; (setq-default eglot-workspace-configuration
;;               '(:articleLsp (:hoverPreviewLength 300
;;                              :severity (:stale-title "hint"))))

(add-hook 'markdown-mode-hook #'eglot-ensure)
(add-hook 'gfm-mode-hook #'eglot-ensure)

(provide 'article-lsp)
;;; article-lsp.el ends here
