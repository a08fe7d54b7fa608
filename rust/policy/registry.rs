//! Named policies. Generic over the stored value so it stays free of Python types; the
//! bindings store the compiled policy next to its Python object.

use std::collections::BTreeMap;
use std::sync::RwLock;

#[derive(Debug, PartialEq, Eq)]
pub enum RegistryError {
    Exists(String),
    Unknown(String),
    Reserved(String),
}

pub struct Registry<T: Clone> {
    entries: RwLock<BTreeMap<String, T>>,
    reserved: Vec<&'static str>,
}

impl<T: Clone> Registry<T> {
    pub fn new(reserved: &[&'static str]) -> Self {
        Registry {
            entries: RwLock::new(BTreeMap::new()),
            reserved: reserved.to_vec(),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, T>> {
        self.entries.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, T>> {
        self.entries.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Lookups clone the value (an `Arc` in practice) so the lock is released before use.
    pub fn get(&self, name: &str) -> Option<T> {
        self.read().get(name).cloned()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.read().contains_key(name)
    }

    pub fn names(&self) -> Vec<String> {
        self.read().keys().cloned().collect()
    }

    /// Register `value` as `name`. Reserved names (the presets) are registered once, by the
    /// package itself, and are never replaced or removed afterwards.
    pub fn register(&self, name: &str, value: T, replace: bool) -> Result<(), RegistryError> {
        let mut entries = self.write();
        let exists = entries.contains_key(name);
        if exists && self.reserved.contains(&name) {
            return Err(RegistryError::Reserved(name.to_string()));
        }
        if exists && !replace {
            return Err(RegistryError::Exists(name.to_string()));
        }
        entries.insert(name.to_string(), value);
        Ok(())
    }

    pub fn unregister(&self, name: &str) -> Result<T, RegistryError> {
        if self.reserved.contains(&name) {
            return Err(RegistryError::Reserved(name.to_string()));
        }
        self.write()
            .remove(name)
            .ok_or_else(|| RegistryError::Unknown(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_lookup_unregister() {
        let r: Registry<u32> = Registry::new(&["ugc"]);
        r.register("ugc", 1, false).unwrap();
        r.register("mine", 2, false).unwrap();
        assert_eq!(r.get("mine"), Some(2));
        assert_eq!(
            r.register("mine", 3, false),
            Err(RegistryError::Exists("mine".into()))
        );
        r.register("mine", 3, true).unwrap();
        assert_eq!(r.get("mine"), Some(3));
        assert_eq!(r.names(), vec!["mine".to_string(), "ugc".to_string()]);
        assert_eq!(r.unregister("mine"), Ok(3));
        assert_eq!(
            r.unregister("mine"),
            Err(RegistryError::Unknown("mine".into()))
        );
    }

    #[test]
    fn presets_are_reserved() {
        let r: Registry<u32> = Registry::new(&["ugc"]);
        r.register("ugc", 1, false).unwrap();
        assert_eq!(
            r.register("ugc", 2, true),
            Err(RegistryError::Reserved("ugc".into()))
        );
        assert_eq!(
            r.unregister("ugc"),
            Err(RegistryError::Reserved("ugc".into()))
        );
        assert_eq!(r.get("ugc"), Some(1));
    }
}
