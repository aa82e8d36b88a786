-- article-lsp for Neovim 0.11+: put this directory on 'runtimepath' (or copy
-- this file to ~/.config/nvim/lsp/) and call `vim.lsp.enable('article_lsp')`.
-- Override any field with `vim.lsp.config('article_lsp', { ... })`, e.g.
--
--   vim.lsp.config('article_lsp', {
--     cmd = { '/path/to/article-lsp' },
--     settings = { articleLsp = { hoverPreviewLength = 500, severity = { ['stale-title'] = 'hint' } } },
--   })
--
-- Settings under `articleLsp` override the `article-lsp.toml` at the root.

-- The backlink lens ("N articles link here") runs the client-side command
-- `articleLsp.showReferences` with arguments `[uri, position, locations]`:
-- list the locations in the quickfix window, as `vim.lsp.buf.references()` does.
local function show_references(command, ctx)
  local locations = (command.arguments or {})[3] or {}
  if #locations == 0 then
    vim.notify('No article links here', vim.log.levels.INFO)
    return
  end
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local encoding = client and client.offset_encoding or 'utf-16'
  vim.fn.setqflist({}, ' ', {
    title = command.title,
    items = vim.lsp.util.locations_to_items(locations, encoding),
  })
  vim.cmd('botright copen')
end

---@type vim.lsp.Config
return {
  cmd = { 'article-lsp' },
  filetypes = { 'markdown' },
  root_markers = { 'article-lsp.toml', '.git' },
  commands = {
    ['articleLsp.showReferences'] = show_references,
  },
}
