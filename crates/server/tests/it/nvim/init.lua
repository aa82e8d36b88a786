-- Init for the real-client test: the config from editors/nvim and nothing
-- else, with the server under test and one setting the test checks.
local config_dir = assert(os.getenv('ARTICLE_LSP_NVIM_CONFIG'), 'ARTICLE_LSP_NVIM_CONFIG')
local server = assert(os.getenv('ARTICLE_LSP_SERVER'), 'ARTICLE_LSP_SERVER')

vim.opt.runtimepath:prepend(config_dir)
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'

vim.lsp.config('article_lsp', {
  cmd = { server },
  settings = { articleLsp = { hoverPreviewLength = 120 } },
})
vim.lsp.enable('article_lsp')
