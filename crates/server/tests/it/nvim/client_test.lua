-- Drives Neovim's own LSP client against article-lsp over a copy of the
-- fixtures, with only the config from editors/nvim. Every step waits with a
-- timeout for a real outcome; the transcript goes to stderr and the exit
-- status says whether every step passed.

local workspace = assert(os.getenv('ARTICLE_LSP_WORKSPACE'), 'ARTICLE_LSP_WORKSPACE')
local TIMEOUT = tonumber(os.getenv('ARTICLE_LSP_TIMEOUT_MS') or '') or 20000

local passed, failed = 0, 0

local function say(line)
  io.stderr:write(line .. '\n')
end

local function step(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    passed = passed + 1
    say('ok      ' .. name)
  else
    failed = failed + 1
    say('FAILED  ' .. name .. ': ' .. tostring(err))
  end
end

local function wait_for(what, condition)
  if not vim.wait(TIMEOUT, condition, 20) then
    error(string.format('timed out after %d ms waiting for %s', TIMEOUT, what), 2)
  end
end

local function real(path)
  return vim.uv.fs_realpath(path) or path
end

local function path(relative)
  return real(workspace) .. '/' .. relative
end

-- Shows the file in the current window, reusing its buffer when loaded.
local function open(relative)
  local buf = vim.fn.bufnr(path(relative))
  if buf > 0 then
    vim.api.nvim_set_current_buf(buf)
  else
    vim.cmd.edit(vim.fn.fnameescape(path(relative)))
  end
  return vim.api.nvim_get_current_buf()
end

local function client_of(buf)
  return vim.lsp.get_clients({ bufnr = buf, name = 'article_lsp' })[1]
end

local function attached(buf)
  wait_for('article_lsp to attach to ' .. vim.api.nvim_buf_get_name(buf), function()
    local client = client_of(buf)
    return client ~= nil and client.initialized
  end)
  return client_of(buf)
end

local function lines(buf)
  return vim.api.nvim_buf_get_lines(buf, 0, -1, false)
end

-- The 0-based row of the first line matching `pattern` after row `after`.
local function row_of(buf, pattern, after)
  local all = lines(buf)
  for i = (after or -1) + 2, #all do
    if all[i]:find(pattern) then
      return i - 1
    end
  end
  error('no line matches ' .. pattern, 2)
end

local function diagnostic(buf, code)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code then
      return d
    end
  end
end

local function describe(buf)
  return vim.inspect(vim.tbl_map(function(d)
    return string.format('%d:%d %s %s', d.lnum, d.col, d.code, d.message)
  end, vim.diagnostic.get(buf)))
end

local function request(buf, method, params)
  local responses, err = vim.lsp.buf_request_sync(buf, method, params, TIMEOUT)
  assert(responses, method .. ': ' .. tostring(err))
  for _, response in pairs(responses) do
    assert(not response.err, method .. ': ' .. vim.inspect(response.err))
    return response.result
  end
  error(method .. ': no response')
end

local function at(buf, row, character)
  return {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = row, character = character },
  }
end

local function find(text, needle)
  return text:find(needle, 1, true) ~= nil
end

local HISTORY = 'lumenus/what-is-the-history-of-the-lumenus-organization.md'
local EVOLVED = 'lumenus/how-has-lumenus-evolved-over-the-years.md'

local broken = open('broken/broken-link.md')

step('the client starts with the folder of article-lsp.toml as root', function()
  local client = attached(broken)
  assert(real(client.root_dir) == real(workspace), 'root_dir is ' .. tostring(client.root_dir))
  say('        position encoding: ' .. client.offset_encoding)
end)

step('diagnostics: broken-link on the broken related block, nothing else', function()
  local block = row_of(broken, '^related_article2:')
  wait_for('one broken-link diagnostic, now ' .. describe(broken), function()
    local list = vim.diagnostic.get(broken)
    return #list == 1 and list[1].code == 'broken-link'
  end)
  local d = vim.diagnostic.get(broken)[1]
  assert(d.severity == vim.diagnostic.severity.ERROR, 'severity ' .. tostring(d.severity))
  assert(d.lnum > block and d.lnum <= block + 5, 'on row ' .. d.lnum .. ', block at ' .. block)
  say('        ' .. d.message:gsub('\n', ' '))
end)

step('hover on a related block shows the target and a preview of its answer', function()
  local row = row_of(broken, '^    id: 87366')
  local result = request(broken, 'textDocument/hover', at(broken, row, 9))
  assert(result and result.contents, 'no hover')
  local text = result.contents.value or vim.inspect(result.contents)
  assert(find(text, 'What is the history of the Lumenus organization?'), 'no title in ' .. text)
  assert(find(text, 'closely tied to the history of community-based social services'), 'no answer in ' .. text)
  -- hoverPreviewLength = 120 from the settings in init.lua.
  assert(not find(text, 'did not start from scratch'), 'preview longer than the setting: ' .. text)
end)

step('definition on a related url opens the target at its title', function()
  vim.api.nvim_set_current_buf(broken)
  local row = row_of(broken, '^    url: ', row_of(broken, '^related_article1:'))
  vim.api.nvim_win_set_cursor(0, { row + 1, 12 })
  vim.lsp.buf.definition()
  local target = path(HISTORY)
  wait_for('the target to open', function()
    return real(vim.api.nvim_buf_get_name(0)) == target
  end)
  local cursor = vim.api.nvim_win_get_cursor(0)[1]
  local here, above = lines(0)[cursor], lines(0)[cursor - 1] or ''
  assert(here:find('^title:') or above:find('^title:'), 'cursor on line ' .. cursor .. ': ' .. here)
end)

step('completion on an id value lists the cluster; accepting one fixes the link', function()
  vim.api.nvim_set_current_buf(broken)
  local client = attached(broken)
  assert(diagnostic(broken, 'broken-link'), 'no broken-link to fix: ' .. describe(broken))
  local row = row_of(broken, '^    id: 87399')
  vim.api.nvim_buf_set_lines(broken, row, row + 1, false, { '    id: ' })
  local result = request(broken, 'textDocument/completion', {
    textDocument = { uri = vim.uri_from_bufnr(broken) },
    position = { line = row, character = 8 },
    context = { triggerKind = 1 },
  })
  local items = result and (result.items or result) or {}
  local by_id = {}
  for _, item in ipairs(items) do
    local edit = item.textEdit and item.textEdit.newText or item.insertText or ''
    for id in table.concat({ item.label, item.filterText or '', edit }, ' '):gmatch('%d%d%d%d%d') do
      by_id[id] = by_id[id] or item
    end
  end
  for _, id in ipairs({ '87367', '87375', '87377', '87384', '87390' }) do
    assert(by_id[id], 'article ' .. id .. ' not offered among ' .. #items .. ' items')
  end
  assert(not by_id['87366'], 'offers 87366, which the article already links to')
  assert(not by_id['90007'], 'offers the article itself')

  local item = by_id['87377']
  local edit = assert(item.textEdit, 'no textEdit')
  local edits = { { range = edit.range or edit.replace, newText = edit.newText } }
  vim.list_extend(edits, item.additionalTextEdits or {})
  vim.lsp.util.apply_text_edits(edits, broken, client.offset_encoding)
  local text = table.concat(lines(broken), '\n')
  assert(find(text, '    id: 87377\n'), text)
  assert(find(text, 'How has Lumenus evolved over the years?'), 'title not set: ' .. text)
  assert(find(text, 'url: /learn/health-studies/questions/how-has-lumenus-evolved-over-the-years\n'), 'url not set')
  wait_for('the broken link to clear, now ' .. describe(broken), function()
    return #vim.diagnostic.get(broken) == 0
  end)
end)

step("editing a target's title puts stale-title on a referrer open in another buffer", function()
  local referrer = vim.fn.bufnr(path(HISTORY))
  assert(referrer > 0, 'the referrer is not open')
  attached(referrer)
  assert(not diagnostic(referrer, 'stale-title'), 'stale-title before any edit')
  local target = open(EVOLVED)
  attached(target)
  local row = row_of(target, '^title:') + 1
  local original = lines(target)[row + 1]
  assert(original == '    How has Lumenus evolved over the years?', original)

  vim.api.nvim_buf_set_lines(target, row, row + 1, false, { '    How has Lumenus grown over the years?' })
  wait_for('stale-title on the referrer, now ' .. describe(referrer), function()
    return diagnostic(referrer, 'stale-title') ~= nil
  end)
  local d = diagnostic(referrer, 'stale-title')
  assert(find(d.message, 'How has Lumenus grown over the years?'), d.message)

  vim.api.nvim_buf_set_lines(target, row, row + 1, false, { original })
  wait_for('stale-title to clear after the undo, now ' .. describe(referrer), function()
    return diagnostic(referrer, 'stale-title') == nil
  end)
end)

step('the backlink lens lists the referrers in the quickfix list', function()
  local target = open(EVOLVED)
  vim.lsp.codelens.refresh({ bufnr = target })
  wait_for('a code lens', function()
    return #vim.lsp.codelens.get(target) > 0
  end)
  local lens = vim.lsp.codelens.get(target)[1]
  local count = tonumber(lens.command.title:match('^(%d+) articles? links? here'))
  assert(count and count >= 3, 'lens title ' .. lens.command.title)
  assert(real(vim.api.nvim_buf_get_name(0)) == path(EVOLVED))
  vim.api.nvim_win_set_cursor(0, { lens.range.start.line + 1, 0 })
  vim.lsp.codelens.run()
  wait_for('the quickfix list', function()
    return #vim.fn.getqflist() == count
  end)
  local quickfix = vim.fn.getqflist({ title = 1, items = 1 })
  assert(quickfix.title == lens.command.title, 'quickfix title ' .. quickfix.title)
  local files = {}
  for _, entry in ipairs(quickfix.items) do
    files[real(vim.api.nvim_buf_get_name(entry.bufnr))] = true
  end
  for _, referrer in ipairs({ HISTORY, 'broken/broken-link.md' }) do
    assert(files[path(referrer)], referrer .. ' missing from ' .. vim.inspect(vim.tbl_keys(files)))
  end
end)

step('the server shuts down when asked', function()
  for _, client in ipairs(vim.lsp.get_clients()) do
    client:stop()
  end
  wait_for('the clients to stop', function()
    return #vim.lsp.get_clients() == 0
  end)
end)

say(string.format('neovim client steps: %d passed, %d failed', passed, failed))
if failed == 0 then
  vim.cmd('qall!')
else
  vim.cmd('cquit! 1')
end
