//! Shared literals: the declarations of a module and the blocks that read a reference, so that
//! a literal other blocks read too makes the fix unsafe and says what else it changes.

use super::*;

/// Where a module declares its variables and locals: name → file.
#[derive(Default)]
pub(super) struct Decls {
    pub(super) variables: HashMap<String, PathBuf>,
    pub(super) locals: HashMap<String, PathBuf>,
}

/// The declarations of a module, as the index pass recorded them.
pub(super) fn decls(ctx: &mut Ctx<'_>, module_key: &str) -> Result<Arc<Decls>, String> {
    Ok(ctx.decls.get(module_key).cloned().unwrap_or_default())
}

/// The blocks of a module that mention `reference` (`var.x`): (file, span, name), as the index
/// pass recorded them.
pub(super) fn users_of(
    ctx: &mut Ctx<'_>,
    module_key: &str,
    reference: &str,
) -> Result<Arc<Users>, String> {
    Ok(Arc::new(
        ctx.meta
            .mentions
            .get(&(module_key.to_string(), reference.to_string()))
            .cloned()
            .unwrap_or_default(),
    ))
}

/// Blocks of a module other than `user` that mention `reference` (`var.x`), leaving out those
/// that get the same fix from the same rule (no surprise there).
pub(super) fn other_users(
    ctx: &mut Ctx<'_>,
    module_key: &str,
    reference: &str,
    user: (&Path, &Range<usize>),
) -> Result<BTreeSet<String>, String> {
    let key = (
        module_key.to_string(),
        reference.to_string(),
        ctx.rule,
        ctx.to.clone(),
    );
    let surprising = match ctx.surprising.get(&key) {
        Some(s) => s.clone(),
        None => {
            let users = users_of(ctx, module_key, reference)?;
            let s: Arc<Users> = Arc::new(
                users
                    .iter()
                    .filter(|(_, _, name)| {
                        !ctx.same_change
                            .contains(&(format!("{}|{name}", ctx.rule), ctx.to.clone()))
                    })
                    .cloned()
                    .collect(),
            );
            ctx.surprising.insert(key, s.clone());
            s
        }
    };
    Ok(surprising
        .iter()
        .filter(|(path, span, _)| !(path == user.0 && span == user.1))
        .map(|(_, _, name)| name.clone())
        .collect())
}
