//! `VisualStudioCodeCredential` as the reference behaves without its `@azure/identity-vscode`
//! plugin, which azcred does not load: always unavailable, with the reference's message, so the
//! chain and its aggregate error read the same.

use crate::error::TokenError;
use crate::source::{Decided, Source, SourceFlow, StartContext, TokenRequest};

/// The reference's message, including its "have have".
pub(crate) const UNAVAILABLE: &str = "Visual Studio Code Authentication is not available. Ensure you have have Azure Resources Extension installed in VS Code, signed into Azure via VS Code, installed the @azure/identity-vscode package, and properly configured the extension.";

/// The plugin-less Visual Studio Code credential.
#[derive(Debug)]
pub(crate) struct VisualStudioCode;

impl Source for VisualStudioCode {
    fn name(&self) -> &str {
        "VisualStudioCodeCredential"
    }

    fn describe(&self) -> String {
        "unavailable: needs the @azure/identity-vscode plugin, which azcred does not support"
            .to_owned()
    }

    fn start(&self, _request: &TokenRequest, _ctx: StartContext) -> Box<dyn SourceFlow> {
        Box::new(Decided(Some(Err(TokenError::unavailable(UNAVAILABLE)))))
    }
}
